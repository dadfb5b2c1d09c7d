import HTTPKit

/// A failure the sandbox injects for one test account, so a client's error handling can be tested
/// through the same login flow as a success.
enum Fault: String, Sendable, CaseIterable {
    /// The token endpoint sleeps `slowSeconds` before it responds normally.
    case tokenSlow
    /// The token endpoint responds 500.
    case tokenServerError
    /// The token endpoint responds 429 with Pinterest's error body.
    case tokenRateLimited
    /// The token endpoint responds 200 with a body that is not valid JSON.
    case tokenInvalidJSON
    /// The token endpoint issues an access token but no refresh token.
    case tokenMissingRefreshToken
    /// `GET /v5/user_account` sleeps `slowSeconds` before it responds normally.
    case userAccountSlow
    /// `GET /v5/user_account` responds 500.
    case userAccountServerError
    /// `GET /v5/user_account` responds 429 with Pinterest's error body.
    case userAccountRateLimited
    /// `GET /v5/user_account` responds 200 with a body that is not valid JSON.
    case userAccountInvalidJSON
    /// `GET /v5/user_account` returns the account without its `id`.
    case userAccountMissingID
    /// `GET /v5/user_account` rejects the access token as if it had been revoked (401, code 2).
    case userAccountTokenRejected
    /// `GET /v5/user_account` returns valid JSON of several MiB.
    case userAccountHugeBody
}

/// A built-in Pinterest account the consent page offers. Ids and usernames are fixed, so they stay
/// the same across restarts and a connection's stored profiles keep matching.
struct TestAccount: Sendable {
    /// A string of 19 digits, as Pinterest's user ids are.
    var id: String
    /// ASCII, and the value of the consent form's `account` field.
    var username: String
    /// One line for the consent page.
    var summary: String
    /// The body of `GET /v5/user_account` for this account.
    var profile: JSON
    var fault: Fault?

    static func find(username: String) -> TestAccount? {
        all.first { $0.username == username }
    }

    static func find(id: String) -> TestAccount? {
        all.first { $0.id == id }
    }

    /// The accounts that behave like healthy Pinterest accounts.
    static var regular: [TestAccount] { all.filter { $0.fault == nil } }

    /// The accounts that inject a fault.
    static var faulty: [TestAccount] { all.filter { $0.fault != nil } }

    static let all: [TestAccount] = [
        TestAccount(
            id: "4714936491839602101",
            username: "sandbox_pinner",
            summary: "Personal account with every profile field; about contains HTML markup",
            profile: [
                "id": "4714936491839602101",
                "username": "sandbox_pinner",
                "account_type": "PINNER",
                "profile_image": "https://i.pinimg.example/600x600_R/sandbox_pinner.jpg",
                "website_url": "https://pinner.example/recipes",
                "about": "Recipes & <b>baking</b> notes, \"quoted\" and 'single-quoted'.",
                "business_name": .null,
                "board_count": 12,
                "pin_count": 345,
                "follower_count": 67,
                "following_count": 89,
                "monthly_views": 1234,
            ]
        ),
        TestAccount(
            id: "4714936491839602102",
            username: "sandbox_business",
            summary: "Business account with a business name and counts beyond 32 bits",
            profile: [
                "id": "4714936491839602102",
                "username": "sandbox_business",
                "account_type": "BUSINESS",
                "profile_image": "https://i.pinimg.example/600x600_R/sandbox_business.jpg",
                "website_url": "https://business.example/",
                "about": "Handmade furniture since 1987.",
                "business_name": "Sandbox Furniture Ltd",
                "board_count": 48,
                "pin_count": 9876,
                "follower_count": 5_000_000_000,
                "following_count": 3,
                "monthly_views": 12_345_678_901,
            ]
        ),
        TestAccount(
            id: "4714936491839602103",
            username: "sandbox_minimal",
            summary: "Account with no optional field: only id and username",
            profile: [
                "id": "4714936491839602103",
                "username": "sandbox_minimal",
            ]
        ),
        TestAccount(
            id: "4714936491839602104",
            username: "sandbox_unicode",
            summary: "Business account with non-ASCII text in about and business_name",
            profile: [
                "id": "4714936491839602104",
                "username": "sandbox_unicode",
                "account_type": "BUSINESS",
                "profile_image": "https://i.pinimg.example/600x600_R/sandbox_unicode.jpg",
                "website_url": "https://cafe.example/tokyo",
                "about": "Zoë's Café — 東京. Crème brûlée, 抹茶 and ☕ every day 🎌",
                "business_name": "Zoë's Café — 東京",
                "board_count": 3,
                "pin_count": 42,
                "follower_count": 1200,
                "following_count": 80,
                "monthly_views": .null,
            ]
        ),
        faultAccount(.tokenSlow, number: 201, username: "fault_token_slow",
                     summary: "Token endpoint sleeps slow_seconds, then responds normally"),
        faultAccount(.tokenServerError, number: 202, username: "fault_token_500",
                     summary: "Token endpoint responds 500"),
        faultAccount(.tokenRateLimited, number: 203, username: "fault_token_429",
                     summary: "Token endpoint responds 429 with Pinterest's error body"),
        faultAccount(.tokenInvalidJSON, number: 204, username: "fault_token_invalid_json",
                     summary: "Token endpoint responds 200 with invalid JSON"),
        faultAccount(.tokenMissingRefreshToken, number: 205, username: "fault_token_no_refresh",
                     summary: "Token response without refresh_token"),
        faultAccount(.userAccountSlow, number: 301, username: "fault_user_slow",
                     summary: "user_account sleeps slow_seconds, then responds normally"),
        faultAccount(.userAccountServerError, number: 302, username: "fault_user_500",
                     summary: "user_account responds 500"),
        faultAccount(.userAccountRateLimited, number: 303, username: "fault_user_429",
                     summary: "user_account responds 429 with Pinterest's error body"),
        faultAccount(.userAccountInvalidJSON, number: 304, username: "fault_user_invalid_json",
                     summary: "user_account responds 200 with invalid JSON"),
        faultAccount(.userAccountMissingID, number: 305, username: "fault_user_no_id",
                     summary: "user_account returns the account without id"),
        faultAccount(.userAccountTokenRejected, number: 306, username: "fault_user_token_rejected",
                     summary: "user_account rejects the access token (401, code 2)"),
        faultAccount(.userAccountHugeBody, number: 307, username: "fault_user_huge_body",
                     summary: "user_account returns a valid JSON body of several MiB"),
    ]

    /// Builds a fault account with a complete personal profile, so only the fault differs from a success.
    private static func faultAccount(_ fault: Fault, number: Int, username: String, summary: String) -> TestAccount {
        let id = "4714936491839602" + String(number)
        return TestAccount(
            id: id,
            username: username,
            summary: summary,
            profile: [
                "id": .string(id),
                "username": .string(username),
                "account_type": "PINNER",
                "profile_image": .string("https://i.pinimg.example/600x600_R/\(username).jpg"),
                "website_url": "https://faults.example/",
                "about": "Test account of the Pinterest sandbox.",
                "business_name": .null,
                "board_count": 1,
                "pin_count": 2,
                "follower_count": 3,
                "following_count": 4,
                "monthly_views": 5,
            ],
            fault: fault
        )
    }
}
