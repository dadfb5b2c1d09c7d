import HTTPKit
import Testing
@testable import PinterestSandbox

@Suite struct UserAccountTests {
    let harness = SandboxHarness()

    func profile(of account: String) throws -> JSON {
        let accessToken = try #require(harness.tokens(account: account)["access_token"]?.stringValue)
        let response = harness.userAccount(accessToken: accessToken)
        #expect(response.status == 200)
        return try #require(SandboxHarness.json(response))
    }

    @Test func pinnerHasEveryField() throws {
        let profile = try profile(of: "sandbox_pinner")
        let keys = Set(profile.objectValue?.keys.map { $0 } ?? [])
        #expect(keys == ["id", "username", "account_type", "profile_image", "website_url", "about", "business_name",
                         "board_count", "pin_count", "follower_count", "following_count", "monthly_views"])
        #expect(profile["id"] == "4714936491839602101")
        #expect(profile["account_type"] == "PINNER")
        #expect(profile["business_name"] == .null)
        #expect(profile["board_count"] == 12)
    }

    @Test func businessHasBusinessName() throws {
        let profile = try profile(of: "sandbox_business")
        #expect(profile["account_type"] == "BUSINESS")
        #expect(profile["business_name"] == "Sandbox Furniture Ltd")
        #expect(profile["follower_count"] == 5_000_000_000)
    }

    @Test func minimalHasOnlyIDAndUsername() throws {
        let profile = try profile(of: "sandbox_minimal")
        #expect(profile == ["id": "4714936491839602103", "username": "sandbox_minimal"])
    }

    @Test func unicodeTextSurvives() throws {
        let profile = try profile(of: "sandbox_unicode")
        #expect(profile["business_name"] == "Zoë's Café — 東京")
        #expect(profile["about"]?.stringValue?.contains("東京") == true)
    }

    @Test func accountIDsAreNineteenDigits() {
        for account in TestAccount.all {
            #expect(account.id.count == 19, "\(account.username)")
            #expect(account.id.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, "\(account.username)")
            #expect(account.profile["id"]?.stringValue == account.id, "\(account.username)")
        }
    }

    @Test func accountsAreDistinct() {
        #expect(Set(TestAccount.all.map(\.id)).count == TestAccount.all.count)
        #expect(Set(TestAccount.all.map(\.username)).count == TestAccount.all.count)
    }

    @Test func usernamesAreASCII() {
        for account in TestAccount.all {
            #expect(account.username.allSatisfy { $0.isASCII }, "\(account.username)")
        }
    }

    @Test func missingTokenRejected() {
        let response = harness.userAccount(accessToken: nil)
        #expect(response.status == 401)
        #expect(SandboxHarness.json(response) == ["code": 2, "message": "Authentication failed."])
    }

    @Test func unknownTokenRejected() {
        let response = harness.userAccount(accessToken: "pina_unknown")
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 2)
    }

    @Test func refreshTokenIsNoAccessToken() throws {
        let refreshToken = try #require(harness.tokens()["refresh_token"]?.stringValue)
        #expect(harness.userAccount(accessToken: refreshToken).status == 401)
    }

    @Test func expiredAccessTokenRejected() throws {
        let accessToken = try #require(harness.tokens()["access_token"]?.stringValue)
        harness.clock.advance(by: 2_592_000)
        let response = harness.userAccount(accessToken: accessToken)
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 2)
    }

    @Test func tokenWithoutScopeRejected() throws {
        let accessToken = try #require(harness.tokens(scope: "pins:read")["access_token"]?.stringValue)
        let response = harness.userAccount(accessToken: accessToken)
        #expect(response.status == 401)
        #expect(SandboxHarness.errorCode(response) == 3)
        #expect(SandboxHarness.json(response)?["message"]?.stringValue?.contains("user_accounts:read") == true)
    }

    @Test func lowercaseBearerAccepted() throws {
        let accessToken = try #require(harness.tokens()["access_token"]?.stringValue)
        let response = harness.provider.handle(Request(method: "GET", path: "/v5/user_account", mountPath: "/sandbox",
                                                       headers: ["authorization": "bearer \(accessToken)"]))
        #expect(response.status == 200)
    }

    @Test func postOnUserAccountRejected() {
        let response = harness.provider.handle(Request(method: "POST", path: "/v5/user_account", mountPath: "/sandbox"))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD")
    }
}

@Suite struct ProviderTests {
    let harness = SandboxHarness()

    @Test func everyResponseCarriesRequestID() {
        let responses = [
            harness.authorize(),
            harness.authorize(clientID: "1"),
            harness.postConsent([("consent_id", "x")]),
            harness.token([("grant_type", "refresh_token")]),
            harness.userAccount(accessToken: nil),
            harness.provider.handle(Request(method: "GET", path: "/v5/pins", mountPath: "/sandbox")),
        ]
        for response in responses {
            let requestID = response.header("x-pinterest-rid") ?? ""
            #expect(requestID.count == 16, "status \(response.status)")
            #expect(requestID.allSatisfy { $0.isHexDigit }, "status \(response.status)")
        }
    }

    @Test func requestIDsDiffer() {
        let first = harness.userAccount(accessToken: nil).header("x-pinterest-rid")
        let second = harness.userAccount(accessToken: nil).header("x-pinterest-rid")
        #expect(first != second)
    }

    @Test func unknownPathReturns404() {
        let response = harness.provider.handle(Request(method: "GET", path: "/v5/pins", mountPath: "/sandbox"))
        #expect(response.status == 404)
        #expect(SandboxHarness.errorCode(response) == 404)
    }

    @Test func purgeKeepsLiveTokens() throws {
        let accessToken = try #require(harness.tokens()["access_token"]?.stringValue)
        harness.provider.purgeExpired()
        #expect(harness.userAccount(accessToken: accessToken).status == 200)
    }

    @Test func purgeDropsExpiredTokens() throws {
        _ = harness.tokens()
        harness.clock.advance(by: 5_184_000)
        harness.provider.purgeExpired()
        #expect(harness.provider.accessTokens.count == 0)
        #expect(harness.provider.refreshTokens.count == 0)
    }
}
