import Foundation
import HTTPKit
import Testing
@testable import PinterestSandbox

@Suite struct TokenFaultTests {
    let harness = SandboxHarness(slowSeconds: 2.5)

    func exchange(as account: String) -> Response {
        harness.exchange(code: harness.authorizationCode(account: account))
    }

    @Test func slowTokenSleepsThenSucceeds() {
        let response = exchange(as: "fault_token_slow")
        #expect(harness.sleepRecorder.sleeps == [2.5])
        #expect(response.status == 200)
        #expect(SandboxHarness.json(response)?["access_token"] != nil)
    }

    @Test func slowTokenAppliesToRefresh() throws {
        let refreshToken = try #require(SandboxHarness.json(exchange(as: "fault_token_slow"))?["refresh_token"]?.stringValue)
        #expect(harness.refresh(refreshToken).status == 200)
        #expect(harness.sleepRecorder.sleeps == [2.5, 2.5])
    }

    @Test func slowTokenReallySleeps() {
        let registration = SandboxRegistration(appID: SandboxRegistration.defaultAppID, appSecret: SandboxHarness.appSecret,
                                               appName: "Slow", redirectURIs: [SandboxHarness.redirectURI], slowSeconds: 0.2)
        let provider = SandboxProvider(registration: registration)
        let page = provider.handle(Request(method: "GET", path: "/oauth/", queryString: FormFields([
            ("client_id", registration.appID), ("redirect_uri", SandboxHarness.redirectURI),
            ("response_type", "code"), ("scope", "user_accounts:read"),
        ]).encoded))
        let consent = FormFields([("consent_id", SandboxHarness.consentID(in: page) ?? ""), ("decision", "allow"),
                                  ("account", "fault_token_slow")]).encoded
        let redirect = provider.handle(Request(method: "POST", path: "/oauth/consent",
                                               headers: ["content-type": "application/x-www-form-urlencoded"],
                                               body: Array(consent.utf8)))
        let code = SandboxHarness.redirectQuery(redirect)?["code"] ?? ""
        let tokenBody = FormFields([("grant_type", "authorization_code"), ("code", code),
                                    ("redirect_uri", SandboxHarness.redirectURI)]).encoded

        let start = Date()
        let response = provider.handle(Request(method: "POST", path: "/v5/oauth/token",
                                               headers: ["content-type": "application/x-www-form-urlencoded",
                                                         "authorization": SandboxHarness.basic(registration.appID, registration.appSecret)],
                                               body: Array(tokenBody.utf8)))
        let elapsed = Date().timeIntervalSince(start)
        #expect(response.status == 200)
        #expect(elapsed >= 0.2)
        #expect(elapsed < 5)
    }

    @Test func tokenServerError() {
        let response = exchange(as: "fault_token_500")
        #expect(response.status == 500)
        #expect(SandboxHarness.errorCode(response) != nil)
    }

    @Test func tokenRateLimited() {
        let response = exchange(as: "fault_token_429")
        #expect(response.status == 429)
        #expect(SandboxHarness.errorCode(response) == 8)
        #expect(SandboxHarness.json(response)?["message"]?.stringValue?.isEmpty == false)
        #expect(response.header("Retry-After") == nil)
    }

    @Test func tokenInvalidJSON() {
        let response = exchange(as: "fault_token_invalid_json")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(SandboxHarness.json(response) == nil)
    }

    @Test func tokenWithoutRefreshToken() throws {
        let response = exchange(as: "fault_token_no_refresh")
        let body = try #require(SandboxHarness.json(response))
        #expect(response.status == 200)
        #expect(body["refresh_token"] == nil)
        #expect(body["refresh_token_expires_in"] == nil)
        #expect(body["access_token"]?.stringValue?.hasPrefix("pina_") == true)
    }

    @Test func accessTokenWithoutRefreshWorks() throws {
        let accessToken = try #require(SandboxHarness.json(exchange(as: "fault_token_no_refresh"))?["access_token"]?.stringValue)
        #expect(harness.userAccount(accessToken: accessToken).status == 200)
    }

    @Test func tokenFaultsLeaveUserAccountAlone() throws {
        let accessToken = try #require(SandboxHarness.json(exchange(as: "fault_token_slow"))?["access_token"]?.stringValue)
        #expect(harness.userAccount(accessToken: accessToken).status == 200)
    }
}

@Suite struct UserAccountFaultTests {
    let harness = SandboxHarness(slowSeconds: 1.5)

    func userAccount(as account: String) throws -> Response {
        let accessToken = try #require(harness.tokens(account: account)["access_token"]?.stringValue)
        return harness.userAccount(accessToken: accessToken)
    }

    @Test func slowUserAccountSleepsThenSucceeds() throws {
        let response = try userAccount(as: "fault_user_slow")
        #expect(harness.sleepRecorder.sleeps == [1.5])
        #expect(response.status == 200)
        #expect(SandboxHarness.json(response)?["username"] == "fault_user_slow")
    }

    @Test func userAccountFaultsLeaveTokenAlone() {
        _ = harness.tokens(account: "fault_user_slow")
        #expect(harness.sleepRecorder.sleeps.isEmpty)
    }

    @Test func userAccountServerError() throws {
        let response = try userAccount(as: "fault_user_500")
        #expect(response.status == 500)
    }

    @Test func userAccountRateLimited() throws {
        let response = try userAccount(as: "fault_user_429")
        #expect(response.status == 429)
        #expect(SandboxHarness.errorCode(response) == 8)
    }

    @Test func userAccountInvalidJSON() throws {
        let response = try userAccount(as: "fault_user_invalid_json")
        #expect(response.status == 200)
        #expect(SandboxHarness.json(response) == nil)
    }

    @Test func userAccountWithoutID() throws {
        let profile = try #require(SandboxHarness.json(try userAccount(as: "fault_user_no_id")))
        #expect(profile["id"] == nil)
        #expect(profile["username"] == "fault_user_no_id")
    }

    @Test func userAccountRejectsToken() throws {
        let response = try userAccount(as: "fault_user_token_rejected")
        #expect(response.status == 401)
        #expect(SandboxHarness.json(response) == ["code": 2, "message": "Authentication failed."])
    }

    @Test func userAccountHugeBody() throws {
        let response = try userAccount(as: "fault_user_huge_body")
        let profile = try #require(SandboxHarness.json(response))
        #expect(response.status == 200)
        #expect(response.body.count >= 4 * 1024 * 1024)
        #expect(profile["id"] == "4714936491839602307")
    }

    @Test func everyFaultHasAnAccount() {
        for fault in Fault.allCases {
            #expect(TestAccount.all.filter { $0.fault == fault }.count == 1, "\(fault)")
        }
    }
}
