import HTTPKit
import Testing
@testable import PinterestSandbox

@Suite struct AuthorizationPageTests {
    let harness = SandboxHarness()

    @Test func consentPageListsAppAndScopes() {
        let response = harness.authorize()
        let page = SandboxHarness.text(response)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.contains("Sandbox Test App wants to access your Pinterest account"))
        #expect(page.contains("<code>user_accounts:read</code>"))
        #expect(page.contains("<code>pins:read</code>"))
        #expect(!page.contains("<code>boards:read</code>"))
        #expect(SandboxHarness.consentID(in: response)?.isEmpty == false)
    }

    @Test func consentPageOffersEveryAccount() {
        let page = SandboxHarness.text(harness.authorize())
        for account in TestAccount.all {
            #expect(page.contains(#"name="account" value="\#(account.username)""#), "missing \(account.username)")
        }
        #expect(page.contains(#"value="sandbox_pinner" checked"#))
    }

    @Test func faultAccountsAreCollapsed() throws {
        let page = SandboxHarness.text(harness.authorize())
        let details = try #require(page.range(of: "<details>"))
        #expect(page.contains("<summary>Fault injection (for tests)</summary>"))
        for account in TestAccount.faulty {
            let position = try #require(page.range(of: #"value="\#(account.username)""#))
            #expect(position.lowerBound > details.upperBound, "\(account.username) is outside <details>")
        }
        for account in TestAccount.regular {
            let position = try #require(page.range(of: #"value="\#(account.username)""#))
            #expect(position.lowerBound < details.lowerBound, "\(account.username) is inside <details>")
        }
    }

    @Test func consentFormPostsBelowMountPath() {
        let page = SandboxHarness.text(harness.authorize())
        #expect(page.contains(#"<form method="post" action="/sandbox/oauth/consent">"#))
        #expect(page.contains(#"<button type="submit" name="decision" value="allow""#))
        #expect(page.contains(#"<button type="submit" name="decision" value="deny""#))
    }

    @Test func consentPageEscapesAppName() {
        let harness = SandboxHarness(appName: #"<script>alert("x")</script>"#)
        let page = SandboxHarness.text(harness.authorize())
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
    }

    @Test func consentPageAllowsRedirectOrigin() {
        let csp = harness.authorize().header("Content-Security-Policy") ?? ""
        #expect(csp.contains("form-action 'self' http://localhost:8080;"))
        #expect(csp.contains("frame-ancestors 'none'"))
    }

    @Test func spaceSeparatedScopesAccepted() {
        let page = SandboxHarness.text(harness.authorize(scope: "user_accounts:read boards:read"))
        #expect(page.contains("<code>user_accounts:read</code>"))
        #expect(page.contains("<code>boards:read</code>"))
    }

    @Test func mixedSeparatorsAccepted() {
        let response = harness.authorize(scope: "user_accounts:read, pins:read ,boards:read")
        #expect(response.status == 200)
    }

    @Test func headServesConsentPage() {
        let response = harness.provider.handle(Request(method: "HEAD", path: "/oauth/", mountPath: "/sandbox",
                                                       queryString: "client_id=\(SandboxRegistration.defaultAppID)&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fpinterest%2Fcallback&response_type=code&scope=user_accounts%3Aread"))
        #expect(response.status == 200)
    }

    @Test func pathWithoutTrailingSlashServed() {
        let response = harness.provider.handle(Request(method: "GET", path: "/oauth", mountPath: "/sandbox",
                                                       queryString: "client_id=\(SandboxRegistration.defaultAppID)&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fpinterest%2Fcallback&response_type=code&scope=user_accounts%3Aread"))
        #expect(response.status == 200)
    }

    @Test func postToAuthorizationPageRejected() {
        let response = harness.provider.handle(Request(method: "POST", path: "/oauth/", mountPath: "/sandbox"))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD")
    }
}

@Suite struct AuthorizationErrorTests {
    let harness = SandboxHarness()

    /// Checks that a response is the sandbox's error page and no redirect.
    func expectErrorPage(_ response: Response, containing text: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 400, sourceLocation: sourceLocation)
        #expect(response.header("Location") == nil, sourceLocation: sourceLocation)
        #expect(response.header("Content-Type") == "text/html; charset=utf-8", sourceLocation: sourceLocation)
        #expect(SandboxHarness.text(response).contains(text), "page lacks \(text)", sourceLocation: sourceLocation)
    }

    @Test func unknownClientShowsErrorPage() {
        expectErrorPage(harness.authorize(clientID: "999"), containing: "No app with the client_id 999 is registered.")
    }

    @Test func missingClientShowsErrorPage() {
        expectErrorPage(harness.authorize(clientID: nil), containing: "The client_id parameter is missing.")
    }

    @Test func unregisteredRedirectShowsCode7() {
        let response = harness.authorize(redirectURI: "https://attacker.example/callback")
        expectErrorPage(response, containing: "Error code 7")
        expectErrorPage(response, containing: "does not match any of the registered redirect URIs")
    }

    @Test func redirectWithTrailingSlashRejected() {
        expectErrorPage(harness.authorize(redirectURI: SandboxHarness.redirectURI + "/"), containing: "Error code 7")
    }

    @Test func redirectWithDifferentCaseRejected() {
        expectErrorPage(harness.authorize(redirectURI: "http://LOCALHOST:8080/auth/pinterest/callback"), containing: "Error code 7")
    }

    @Test func missingRedirectShowsCode7() {
        expectErrorPage(harness.authorize(redirectURI: nil), containing: "Error code 7")
    }

    @Test func redirectURIIsEscapedOnErrorPage() {
        let response = harness.authorize(redirectURI: "http://x.example/<b>")
        #expect(SandboxHarness.text(response).contains("http://x.example/&lt;b&gt;"))
    }

    @Test func tokenResponseTypeRejected() {
        expectErrorPage(harness.authorize(responseType: "token"), containing: "The response_type must be code")
    }

    @Test func missingResponseTypeRejected() {
        expectErrorPage(harness.authorize(responseType: nil), containing: "The response_type must be code")
    }

    @Test func unknownScopeRejected() {
        expectErrorPage(harness.authorize(scope: "user_accounts:read,pins:delete"),
                        containing: "The scope pins:delete does not exist in Pinterest API v5.")
    }

    @Test func version1ScopeRejected() {
        expectErrorPage(harness.authorize(scope: "read_public"), containing: "belongs to the retired v1 API")
    }

    @Test func missingScopeRejected() {
        expectErrorPage(harness.authorize(scope: nil), containing: "The scope parameter is missing or empty.")
    }

    @Test func separatorOnlyScopeRejected() {
        expectErrorPage(harness.authorize(scope: " , "), containing: "The scope parameter is missing or empty.")
    }

    @Test func repeatedRedirectRejected() {
        let response = harness.authorize(extra: [("redirect_uri", SandboxHarness.secondRedirectURI)])
        expectErrorPage(response, containing: "The parameter redirect_uri appears more than once.")
    }

    @Test func overlongStateRejected() {
        let state = String(repeating: "s", count: SandboxProvider.maximumStateBytes + 1)
        expectErrorPage(harness.authorize(state: state), containing: "The state parameter is longer than")
    }

    @Test func shortCodeChallengeRejected() {
        let response = harness.authorize(extra: [("code_challenge", "short"), ("code_challenge_method", "S256")])
        expectErrorPage(response, containing: "The code_challenge must be 43 to 128 characters")
    }

    @Test func unknownPKCEMethodRejected() {
        let challenge = String(repeating: "a", count: 43)
        let response = harness.authorize(extra: [("code_challenge", challenge), ("code_challenge_method", "S512")])
        expectErrorPage(response, containing: "The code_challenge_method must be S256 or plain.")
    }

    @Test func malformedQueryRejected() {
        let response = harness.provider.handle(Request(method: "GET", path: "/oauth/", mountPath: "/sandbox",
                                                       queryString: "client_id=%ZZ"))
        expectErrorPage(response, containing: "The query string is not valid percent-encoded UTF-8.")
    }
}

@Suite struct ConsentTests {
    let harness = SandboxHarness()

    @Test func allowRedirectsWithCodeAndState() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize(state: "xyz ä/&=")))
        let response = harness.postConsent([("consent_id", consentID), ("decision", "allow"), ("account", "sandbox_pinner")])
        let location = try #require(response.header("Location"))
        let query = try #require(SandboxHarness.redirectQuery(response))
        #expect(response.status == 302)
        #expect(location.hasPrefix(SandboxHarness.redirectURI + "?code="))
        #expect(query["code"]?.isEmpty == false)
        #expect(query["state"] == "xyz ä/&=")
        #expect(query.items.count == 2)
    }

    @Test func allowWithoutStateOmitsState() {
        let query = harness.allow(state: nil)
        #expect(query["code"]?.isEmpty == false)
        #expect(query.count(of: "state") == 0)
    }

    @Test func redirectWithQueryKeepsIt() throws {
        let page = harness.authorize(redirectURI: SandboxHarness.secondRedirectURI)
        let consentID = try #require(SandboxHarness.consentID(in: page))
        let response = harness.postConsent([("consent_id", consentID), ("decision", "allow"), ("account", "sandbox_pinner")])
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix(SandboxHarness.secondRedirectURI + "&code="))
    }

    @Test func denyRedirectsWithAccessDenied() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        let response = harness.postConsent([("consent_id", consentID), ("decision", "deny")])
        let query = try #require(SandboxHarness.redirectQuery(response))
        #expect(response.status == 302)
        #expect(response.header("Location")?.hasPrefix(SandboxHarness.redirectURI + "?error=access_denied") == true)
        #expect(query["error"] == "access_denied")
        #expect(query["error_description"]?.isEmpty == false)
        #expect(query["state"] == "state-1234")
        #expect(query["code"] == nil)
    }

    @Test func consentIDIsSingleUse() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        let fields = [("consent_id", consentID), ("decision", "allow"), ("account", "sandbox_pinner")]
        let first = harness.postConsent(fields)
        let second = harness.postConsent(fields)
        #expect(first.status == 302)
        #expect(second.status == 400)
        #expect(second.header("Location") == nil)
    }

    @Test func consentIDExpires() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        harness.clock.advance(by: SandboxProvider.consentLifetime)
        let response = harness.postConsent([("consent_id", consentID), ("decision", "allow"), ("account", "sandbox_pinner")])
        #expect(response.status == 400)
        #expect(SandboxHarness.text(response).contains("has expired or was already used"))
    }

    @Test func forgedConsentIDRejected() {
        let response = harness.postConsent([("consent_id", "forged"), ("decision", "allow"), ("account", "sandbox_pinner")])
        #expect(response.status == 400)
        #expect(response.header("Location") == nil)
    }

    @Test func formCannotChangeRedirect() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        let response = harness.postConsent([("consent_id", consentID), ("decision", "allow"), ("account", "sandbox_pinner"),
                                            ("redirect_uri", "https://attacker.example/"), ("state", "forged"),
                                            ("scope", "ads:write")])
        let query = try #require(SandboxHarness.redirectQuery(response))
        #expect(response.header("Location")?.hasPrefix(SandboxHarness.redirectURI + "?") == true)
        #expect(query["state"] == "state-1234")
    }

    @Test func allowWithoutAccountRejected() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        let response = harness.postConsent([("consent_id", consentID), ("decision", "allow")])
        #expect(response.status == 400)
        #expect(SandboxHarness.text(response).contains("No test account was chosen."))
    }

    @Test func unknownAccountKeepsConsent() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        let rejected = harness.postConsent([("consent_id", consentID), ("decision", "allow"), ("account", "nobody")])
        let retried = harness.postConsent([("consent_id", consentID), ("decision", "allow"), ("account", "sandbox_minimal")])
        #expect(rejected.status == 400)
        #expect(retried.status == 302)
    }

    @Test func unknownDecisionRejected() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        let response = harness.postConsent([("consent_id", consentID), ("decision", "maybe"), ("account", "sandbox_pinner")])
        #expect(response.status == 400)
    }

    @Test func repeatedConsentFieldRejected() throws {
        let consentID = try #require(SandboxHarness.consentID(in: harness.authorize()))
        let response = harness.postConsent([("consent_id", consentID), ("decision", "allow"),
                                            ("account", "sandbox_pinner"), ("account", "fault_user_500")])
        #expect(response.status == 400)
    }

    @Test func getOnConsentPathRejected() {
        let response = harness.provider.handle(Request(method: "GET", path: "/oauth/consent", mountPath: "/sandbox"))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "POST")
    }
}
