import HTTPKit
import ProfileStore
import Testing
@testable import PinterestConnection

@Suite struct ProfileSyncTests {
    static let userID = "pinterest|4714936491839602102"
    static let firstLogin: Int64 = 1_750_000_000
    static let secondLogin: Int64 = 1_750_086_400

    static let business: JSON = [
        "id": "4714936491839602102",
        "username": "furniture",
        "account_type": "BUSINESS",
        "profile_image": "https://i.pinimg.example/old.jpg",
        "business_name": "Furniture Ltd",
        "website_url": "https://furniture.example/",
        "pin_count": 10,
    ]

    /// The same account after its owner renamed it, changed the picture, dropped the business name
    /// and the website, and pinned more.
    static let renamed: JSON = [
        "id": "4714936491839602102",
        "username": "furniture_2",
        "account_type": "PINNER",
        "profile_image": "https://i.pinimg.example/new.jpg",
        "pin_count": 11,
    ]

    static func tokens(refresh: String?) -> PinterestTokens {
        PinterestTokens(accessToken: "pina_access", accessTokenExpiresAt: firstLogin + 2_592_000,
                        refreshToken: refresh, refreshTokenExpiresAt: refresh.map { _ in firstLogin + 5_184_000 },
                        scope: "user_accounts:read")
    }

    /// Returns the record after a first login and edits through the user API: metadata and a changed name.
    static func existingRecord() -> UserRecord {
        var record = ProfileSync.merge(existing: nil, userID: userID, account: business,
                                       tokens: tokens(refresh: "pinr_first"), sync: true, now: firstLogin)
        record.profile["user_metadata"] = ["theme": "dark"]
        record.profile["app_metadata"] = ["plan": "pro"]
        record.profile["name"] = "Edited name"
        return record
    }

    static func secondLogin(sync: Bool, account: JSON = renamed, refresh: String? = "pinr_second") -> UserRecord {
        ProfileSync.merge(existing: existingRecord(), userID: userID, account: account,
                          tokens: tokens(refresh: refresh), sync: sync, now: secondLogin)
    }

    @Test func firstLoginWritesProfile() {
        let profile = ProfileSync.merge(existing: nil, userID: Self.userID, account: Self.business,
                                        tokens: Self.tokens(refresh: nil), sync: false, now: Self.firstLogin).profile
        #expect(profile["user_id"] == .string(Self.userID))
        #expect(profile["name"] == "Furniture Ltd")
        #expect(profile["nickname"] == "furniture")
        #expect(profile["picture"] == "https://i.pinimg.example/old.jpg")
        #expect(profile["identities"] == [ProfileNormalizer.identity(userID: Self.userID)])
        #expect(profile["logins_count"] == 1)
        #expect(profile["created_at"] == "2025-06-15T15:06:40.000Z")
        #expect(profile["last_login"] == profile["created_at"])
        #expect(profile["updated_at"] == profile["created_at"])
        #expect(profile["user_metadata"] == [:])
        #expect(profile["app_metadata"] == [:])
    }

    @Test func firstLoginKeepsTokensOutOfProfile() {
        let record = ProfileSync.merge(existing: nil, userID: Self.userID, account: Self.business,
                                       tokens: Self.tokens(refresh: "pinr_first"), sync: true, now: Self.firstLogin)
        #expect(record.tokens?.accessToken == "pina_access")
        #expect(!record.profile.serialized().contains("pina_"))
        #expect(!record.profile.serialized().contains("pinr_"))
    }

    @Test func syncOnOverwritesAttributes() {
        let profile = Self.secondLogin(sync: true).profile
        #expect(profile["name"] == "furniture_2")
        #expect(profile["nickname"] == "furniture_2")
        #expect(profile["username"] == "furniture_2")
        #expect(profile["picture"] == "https://i.pinimg.example/new.jpg")
        #expect(profile["account_type"] == "PINNER")
        #expect(profile["pin_count"] == 11)
    }

    @Test func syncOnRemovesVanishedAttributes() {
        let profile = Self.secondLogin(sync: true).profile
        #expect(profile["business_name"] == nil)
        #expect(profile["website_url"] == nil)
    }

    @Test func syncOnUpdatesTimestamps() {
        let profile = Self.secondLogin(sync: true).profile
        #expect(profile["updated_at"] == "2025-06-16T15:06:40.000Z")
        #expect(profile["last_login"] == "2025-06-16T15:06:40.000Z")
        #expect(profile["created_at"] == "2025-06-15T15:06:40.000Z")
    }

    @Test func syncOffKeepsAttributes() {
        let profile = Self.secondLogin(sync: false).profile
        #expect(profile["name"] == "Edited name")
        #expect(profile["nickname"] == "furniture")
        #expect(profile["picture"] == "https://i.pinimg.example/old.jpg")
        #expect(profile["business_name"] == "Furniture Ltd")
        #expect(profile["website_url"] == "https://furniture.example/")
        #expect(profile["pin_count"] == 10)
    }

    @Test func syncOffUpdatesOnlyLoginFields() {
        let profile = Self.secondLogin(sync: false).profile
        #expect(profile["updated_at"] == "2025-06-15T15:06:40.000Z")
        #expect(profile["last_login"] == "2025-06-16T15:06:40.000Z")
        #expect(profile["logins_count"] == 2)
    }

    @Test(arguments: [true, false])
    func metadataSurvives(sync: Bool) {
        let profile = Self.secondLogin(sync: sync).profile
        #expect(profile["user_metadata"] == ["theme": "dark"])
        #expect(profile["app_metadata"] == ["plan": "pro"])
    }

    @Test(arguments: [true, false])
    func identityFieldsSurvive(sync: Bool) {
        let record = Self.secondLogin(sync: sync)
        #expect(record.userID == Self.userID)
        #expect(record.profile["user_id"] == .string(Self.userID))
        #expect(record.profile["identities"] == [ProfileNormalizer.identity(userID: Self.userID)])
        #expect(record.profile["created_at"] == "2025-06-15T15:06:40.000Z")
    }

    @Test(arguments: [true, false])
    func loginsCounted(sync: Bool) {
        #expect(Self.secondLogin(sync: sync).profile["logins_count"] == 2)
    }

    @Test func syncOnDropsAPIEditOfName() {
        #expect(Self.secondLogin(sync: true, account: Self.business).profile["name"] == "Furniture Ltd")
    }

    @Test func newRefreshTokenReplacesOld() {
        #expect(Self.secondLogin(sync: true).tokens?.refreshToken == "pinr_second")
    }

    @Test func grantWithoutRefreshTokenKeepsOld() {
        let tokens = Self.secondLogin(sync: true, refresh: nil).tokens
        #expect(tokens?.refreshToken == "pinr_first")
        #expect(tokens?.refreshTokenExpiresAt == Self.firstLogin + 5_184_000)
    }
}
