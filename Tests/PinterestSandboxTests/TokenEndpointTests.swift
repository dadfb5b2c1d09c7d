import Crypto
import Foundation
import HTTPKit
import Testing
@testable import PinterestSandbox

@Suite struct TokenEndpointTests {
    let harness = SandboxHarness()

    @Test func codeExchangeReturnsTokens() throws {
        let response = harness.exchange(code: harness.authorizationCode())
        let body = try #require(SandboxHarness.json(response))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(body["access_token"]?.stringValue?.hasPrefix("pina_") == true)
        #expect(body["token_type"] == "bearer")
        #expect(body["expires_in"] == 2_592_000)
        #expect(body["scope"] == "pins:read user_accounts:read")
        #expect(body["response_type"] == "authorization_code")
        #expect(body["refresh_token"]?.stringValue?.hasPrefix("pinr_") == true)
        #expect(body["refresh_token_expires_in"] == 5_184_000)
        #expect(body["refresh_token_expires_at"]?.intValue == harness.clock.now + 5_184_000)
    }

    @Test func wholeDanceReachesProfile() throws {
        let tokens = harness.tokens(account: "sandbox_business")
        let accessToken = try #require(tokens["access_token"]?.stringValue)
        let response = harness.userAccount(accessToken: accessToken)
        let profile = try #require(SandboxHarness.json(response))
        #expect(response.status == 200)
        #expect(profile["id"] == "4714936491839602102")
        #expect(profile["username"] == "sandbox_business")
    }

    @Test func codeReuseRejected() {
        let code = harness.authorizationCode()
        let first = harness.exchange(code: code)
        let second = harness.exchange(code: code)
        #expect(first.status == 200)
        #expect(second.status == 401)
        #expect(SandboxHarness.json(second) == ["code": 283, "message": "The authorization grant is invalid"])
    }

    @Test func expiredCodeRejected() {
        let harness = SandboxHarness(codeLifetimeSeconds: 30)
        let code = harness.authorizationCode()
        harness.clock.advance(by: 30)
        let response = harness.exchange(code: code)
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 283)
    }

    @Test func codeValidJustBeforeExpiry() {
        let harness = SandboxHarness(codeLifetimeSeconds: 30)
        let code = harness.authorizationCode()
        harness.clock.advance(by: 29)
        #expect(harness.exchange(code: code).status == 200)
    }

    @Test func unknownCodeRejected() {
        let response = harness.exchange(code: "not-a-code")
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 283)
    }

    @Test func redirectMismatchRejected() {
        let code = harness.authorizationCode()
        let response = harness.exchange(code: code, redirectURI: SandboxHarness.secondRedirectURI)
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 283)
    }

    @Test func redirectMismatchConsumesCode() {
        let code = harness.authorizationCode()
        _ = harness.exchange(code: code, redirectURI: SandboxHarness.secondRedirectURI)
        #expect(harness.exchange(code: code).status == 401)
    }

    @Test func wrongSecretRejected() {
        let code = harness.authorizationCode()
        let response = harness.token([("grant_type", "authorization_code"), ("code", code),
                                      ("redirect_uri", SandboxHarness.redirectURI)],
                                     authentication: .header(SandboxHarness.basic(SandboxRegistration.defaultAppID, "wrong-secret")))
        #expect(response.status == 401)
        #expect(SandboxHarness.json(response) == ["code": 2, "message": "Authentication failed."])
    }

    @Test func wrongClientRejected() {
        let response = harness.token([("grant_type", "authorization_code"), ("code", harness.authorizationCode()),
                                      ("redirect_uri", SandboxHarness.redirectURI)],
                                     authentication: .header(SandboxHarness.basic("1234", SandboxHarness.appSecret)))
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 2)
    }

    @Test func missingAuthorizationRejected() {
        let response = harness.token([("grant_type", "authorization_code"), ("code", harness.authorizationCode()),
                                      ("redirect_uri", SandboxHarness.redirectURI)], authentication: .none)
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 2)
    }

    @Test func malformedBasicRejected() {
        for header in ["Basic", "Basic !!!", "Bearer abc", "Basic " + Base64URL.encodeStandard(Array("no-colon".utf8))] {
            let response = harness.token([("grant_type", "refresh_token"), ("refresh_token", "x")],
                                         authentication: .header(header))
            #expect(response.status == 401, "header \(header)")
        }
    }

    @Test func lowercaseBasicSchemeAccepted() {
        let header = harness.basicAuthorization.replacingOccurrences(of: "Basic ", with: "basic ")
        let response = harness.token([("grant_type", "authorization_code"), ("code", harness.authorizationCode()),
                                      ("redirect_uri", SandboxHarness.redirectURI)], authentication: .header(header))
        #expect(response.status == 200)
    }

    @Test func credentialsInBodyRejected() {
        let code = harness.authorizationCode()
        let response = harness.token([("grant_type", "authorization_code"), ("code", code),
                                      ("redirect_uri", SandboxHarness.redirectURI),
                                      ("client_id", SandboxRegistration.defaultAppID),
                                      ("client_secret", SandboxHarness.appSecret)], authentication: .none)
        #expect(response.status == 400)
        #expect(SandboxHarness.json(response) == ["code": 1, "message": "Invalid request body"])
    }

    @Test func credentialsInBodyRejectedWithBasic() {
        let response = harness.token([("grant_type", "authorization_code"), ("code", harness.authorizationCode()),
                                      ("redirect_uri", SandboxHarness.redirectURI),
                                      ("client_id", SandboxRegistration.defaultAppID)])
        #expect(response.status == 400)
        #expect(SandboxHarness.errorCode(response) == 1)
    }

    @Test func unsupportedGrantRejected() {
        let response = harness.token([("grant_type", "client_credentials")])
        #expect(response.status == 400)
        #expect(SandboxHarness.errorCode(response) == 1)
        #expect(SandboxHarness.json(response)?["message"]?.stringValue?.isEmpty == false)
    }

    @Test func missingCodeRejected() {
        let response = harness.token([("grant_type", "authorization_code"), ("redirect_uri", SandboxHarness.redirectURI)])
        #expect(response.status == 400)
        #expect(SandboxHarness.errorCode(response) == 1)
    }

    @Test func jsonBodyRejected() {
        let response = harness.token([("grant_type", "authorization_code")], contentType: "application/json")
        #expect(response.status == 400)
        #expect(SandboxHarness.errorCode(response) == 1)
    }

    @Test func repeatedCodeRejected() {
        let response = harness.token([("grant_type", "authorization_code"), ("code", harness.authorizationCode()),
                                      ("code", harness.authorizationCode()), ("redirect_uri", SandboxHarness.redirectURI)])
        #expect(response.status == 400)
    }

    @Test func getOnTokenRejected() {
        let response = harness.provider.handle(Request(method: "GET", path: "/v5/oauth/token", mountPath: "/sandbox"))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "POST")
        #expect(SandboxHarness.errorCode(response) == 405)
    }

    @Test func continuousRefreshAccepted() {
        let response = harness.token([("grant_type", "authorization_code"), ("code", harness.authorizationCode()),
                                      ("redirect_uri", SandboxHarness.redirectURI), ("continuous_refresh", "true")])
        #expect(response.status == 200)
    }
}

@Suite struct RefreshTests {
    let harness = SandboxHarness()

    @Test func refreshRotatesTokens() throws {
        let first = harness.tokens()
        let oldRefresh = try #require(first["refresh_token"]?.stringValue)
        let response = harness.refresh(oldRefresh)
        let second = try #require(SandboxHarness.json(response))
        #expect(response.status == 200)
        #expect(second["response_type"] == "refresh_token")
        #expect(second["access_token"] != first["access_token"])
        #expect(second["access_token"]?.stringValue?.hasPrefix("pina_") == true)
        #expect(second["refresh_token"] != first["refresh_token"])
        #expect(second["refresh_token"]?.stringValue?.hasPrefix("pinr_") == true)
        #expect(second["scope"] == "pins:read user_accounts:read")
        #expect(second["expires_in"] == 2_592_000)
        #expect(second["refresh_token_expires_in"] == 5_184_000)
    }

    @Test func rotatedRefreshTokenDies() throws {
        let oldRefresh = try #require(harness.tokens()["refresh_token"]?.stringValue)
        _ = harness.refresh(oldRefresh)
        let response = harness.refresh(oldRefresh)
        #expect(response.status == 401)
        #expect(SandboxHarness.json(response) == ["code": 283, "message": "The authorization grant is invalid"])
    }

    @Test func newRefreshTokenWorks() throws {
        let oldRefresh = try #require(harness.tokens()["refresh_token"]?.stringValue)
        let newRefresh = try #require(SandboxHarness.json(harness.refresh(oldRefresh))?["refresh_token"]?.stringValue)
        #expect(harness.refresh(newRefresh).status == 200)
    }

    @Test func refreshedAccessTokenWorks() throws {
        let oldRefresh = try #require(harness.tokens()["refresh_token"]?.stringValue)
        let accessToken = try #require(SandboxHarness.json(harness.refresh(oldRefresh))?["access_token"]?.stringValue)
        #expect(harness.userAccount(accessToken: accessToken).status == 200)
    }

    @Test func refreshExpiryMovesWithRotation() throws {
        let oldRefresh = try #require(harness.tokens()["refresh_token"]?.stringValue)
        harness.clock.advance(by: 1000)
        let body = try #require(SandboxHarness.json(harness.refresh(oldRefresh)))
        #expect(body["refresh_token_expires_at"]?.intValue == harness.clock.now + 5_184_000)
    }

    @Test func expiredRefreshTokenRejected() throws {
        let refreshToken = try #require(harness.tokens()["refresh_token"]?.stringValue)
        harness.clock.advance(by: 5_184_000)
        let response = harness.refresh(refreshToken)
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 283)
    }

    @Test func unknownRefreshTokenRejected() {
        let response = harness.refresh("pinr_unknown")
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 283)
    }

    @Test func accessTokenIsNoRefreshToken() throws {
        let accessToken = try #require(harness.tokens()["access_token"]?.stringValue)
        #expect(harness.refresh(accessToken).status == 401)
    }

    @Test func refreshWrongSecretRejected() throws {
        let refreshToken = try #require(harness.tokens()["refresh_token"]?.stringValue)
        let response = harness.token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
                                     authentication: .header(SandboxHarness.basic(SandboxRegistration.defaultAppID, "nope")))
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 2)
        #expect(harness.refresh(refreshToken).status == 200)
    }

    @Test func scopeNarrowsAccessToken() throws {
        let refreshToken = try #require(harness.tokens()["refresh_token"]?.stringValue)
        let body = try #require(SandboxHarness.json(harness.refresh(refreshToken, scope: "pins:read")))
        let accessToken = try #require(body["access_token"]?.stringValue)
        let nextRefresh = try #require(body["refresh_token"]?.stringValue)
        #expect(body["scope"] == "pins:read")
        #expect(SandboxHarness.errorCode(harness.userAccount(accessToken: accessToken)) == 3)
        #expect(SandboxHarness.json(harness.refresh(nextRefresh))?["scope"] == "pins:read user_accounts:read")
    }

    @Test func scopeBeyondGrantRejected() throws {
        let refreshToken = try #require(harness.tokens()["refresh_token"]?.stringValue)
        let response = harness.refresh(refreshToken, scope: "ads:write")
        #expect(response.status == 400)
        #expect(SandboxHarness.errorCode(response) == 1)
        #expect(harness.refresh(refreshToken).status == 200)
    }

    @Test func concurrentRefreshSucceedsOnce() throws {
        let refreshToken = try #require(harness.tokens()["refresh_token"]?.stringValue)
        let statuses = StatusCollector()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            statuses.append(harness.refresh(refreshToken).status)
        }
        #expect(statuses.values.filter { $0 == 200 }.count == 1)
        #expect(statuses.values.filter { $0 == 401 }.count == 15)
    }
}

@Suite struct ScopeGrantTests {
    let harness = SandboxHarness()

    @Test func scopesAccumulatePerAccount() {
        _ = harness.tokens(account: "sandbox_minimal", scope: "user_accounts:read")
        let second = harness.tokens(account: "sandbox_minimal", scope: "boards:read")
        #expect(second["scope"] == "boards:read user_accounts:read")
    }

    @Test func otherAccountsKeepTheirScopes() {
        _ = harness.tokens(account: "sandbox_minimal", scope: "user_accounts:read")
        let other = harness.tokens(account: "sandbox_unicode", scope: "boards:read")
        #expect(other["scope"] == "boards:read")
    }
}

@Suite struct PKCETests {
    let harness = SandboxHarness()
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    var challenge: String {
        Base64URL.encode(sha256(Array(verifier.utf8)))
    }

    func code() -> String {
        harness.authorizationCode(extra: [("code_challenge", challenge), ("code_challenge_method", "S256")])
    }

    func exchange(_ code: String, verifier: String?) -> Response {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", SandboxHarness.redirectURI)]
        if let verifier { fields.append(("code_verifier", verifier)) }
        return harness.token(fields)
    }

    @Test func challengeMatchesRFCExample() {
        #expect(challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func rightVerifierAccepted() {
        #expect(exchange(code(), verifier: verifier).status == 200)
    }

    @Test func wrongVerifierRejected() {
        let response = exchange(code(), verifier: String(repeating: "x", count: 43))
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 283)
    }

    @Test func missingVerifierRejected() {
        #expect(exchange(code(), verifier: nil).status == 401)
    }

    @Test func verifierWithoutChallengeIgnored() {
        #expect(exchange(harness.authorizationCode(), verifier: verifier).status == 200)
    }
}

/// Collects statuses from concurrent requests.
final class StatusCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Int] = []

    var values: [Int] { lock.withLock { collected } }

    func append(_ status: Int) {
        lock.withLock { collected.append(status) }
    }
}
