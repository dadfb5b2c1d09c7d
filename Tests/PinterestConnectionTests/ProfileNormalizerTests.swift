import HTTPKit
import Testing
@testable import PinterestConnection

@Suite struct ProfileNormalizerTests {
    /// A personal account with every field of `GET /v5/user_account`.
    static let pinner: JSON = [
        "id": "2783136121146311751",
        "username": "pinner",
        "account_type": "PINNER",
        "profile_image": "https://i.pinimg.example/pinner.jpg",
        "website_url": "https://pinner.example/",
        "about": "Recipes",
        "business_name": .null,
        "board_count": 12,
        "pin_count": 345,
        "follower_count": 5_000_000_000,
        "following_count": 89,
        "monthly_views": 1234,
    ]

    static func userID(_ account: JSON) -> Result<String, ProfileNormalizer.Failure> {
        ProfileNormalizer.userID(for: account)
    }

    static func attributes(_ account: JSON) -> [String: JSON] {
        ProfileNormalizer.attributes(for: account, userID: "pinterest|1")
    }

    @Test func userIDFromDigits() throws {
        #expect(try Self.userID(Self.pinner).get() == "pinterest|2783136121146311751")
    }

    @Test func userIDFromInteger() throws {
        #expect(try Self.userID(["id": 12345]).get() == "pinterest|12345")
    }

    @Test func missingIDRejected() {
        #expect(Self.userID(["username": "pinner"]) == .failure(.missingID))
    }

    @Test func emptyIDRejected() {
        #expect(Self.userID(["id": ""]) == .failure(.missingID))
    }

    @Test func nullIDRejected() {
        #expect(Self.userID(["id": .null, "username": "pinner"]) == .failure(.missingID))
    }

    @Test func nestedIDRejected() {
        #expect(Self.userID(["id": ["value": "123"]]) == .failure(.missingID))
    }

    @Test func nonNumericIDRejected() {
        #expect(Self.userID(["id": "12a"]) == .failure(.invalidID("12a")))
    }

    @Test func signedIDRejected() {
        #expect(Self.userID(["id": "+123"]) == .failure(.invalidID("+123")))
    }

    @Test func negativeIntegerIDRejected() {
        #expect(Self.userID(["id": -5]) == .failure(.invalidID("-5")))
    }

    @Test func nonASCIIDigitsRejected() {
        #expect(Self.userID(["id": "١٢٣"]) == .failure(.invalidID("١٢٣")))
    }

    @Test func idWithSeparatorRejected() {
        #expect(Self.userID(["id": "1|2"]) == .failure(.invalidID("1|2")))
    }

    @Test func longestIDAccepted() throws {
        let id = String(repeating: "9", count: 32)
        #expect(try Self.userID(["id": .string(id)]).get() == "pinterest|" + id)
    }

    @Test func overlongIDRejected() {
        let id = String(repeating: "9", count: 33)
        #expect(Self.userID(["id": .string(id)]) == .failure(.invalidID(id)))
    }

    @Test func allFieldsOfPersonalAccount() {
        let attributes = Self.attributes(Self.pinner)
        #expect(attributes["nickname"] == "pinner")
        #expect(attributes["name"] == "pinner")
        #expect(attributes["picture"] == "https://i.pinimg.example/pinner.jpg")
        #expect(attributes["username"] == "pinner")
        #expect(attributes["account_type"] == "PINNER")
        #expect(attributes["profile_image"] == "https://i.pinimg.example/pinner.jpg")
        #expect(attributes["website_url"] == "https://pinner.example/")
        #expect(attributes["about"] == "Recipes")
        #expect(attributes["business_name"] == .null)
        #expect(attributes["board_count"] == 12)
        #expect(attributes["pin_count"] == 345)
        #expect(attributes["follower_count"] == 5_000_000_000)
        #expect(attributes["following_count"] == 89)
        #expect(attributes["monthly_views"] == 1234)
        #expect(attributes.count == 14)
    }

    @Test func businessNameIsName() {
        var account = Self.pinner
        account["business_name"] = "Furniture Ltd"
        #expect(Self.attributes(account)["name"] == "Furniture Ltd")
    }

    @Test func businessNameKeepsNickname() {
        var account = Self.pinner
        account["business_name"] = "Furniture Ltd"
        #expect(Self.attributes(account)["nickname"] == "pinner")
    }

    @Test func emptyBusinessNameFallsBack() {
        var account = Self.pinner
        account["business_name"] = ""
        #expect(Self.attributes(account)["name"] == "pinner")
    }

    @Test func numericBusinessNameFallsBack() {
        var account = Self.pinner
        account["business_name"] = 7
        #expect(Self.attributes(account)["name"] == "pinner")
    }

    @Test func missingUsernameLeavesNullNames() {
        let attributes = Self.attributes(["id": "1"])
        #expect(attributes["nickname"] == .null)
        #expect(attributes["name"] == .null)
        #expect(attributes["picture"] == .null)
        #expect(attributes["username"] == .null)
    }

    @Test func businessNameWithoutUsername() {
        #expect(Self.attributes(["id": "1", "business_name": "Shop"])["name"] == "Shop")
    }

    @Test func nonStringPictureIsNull() {
        #expect(Self.attributes(["id": "1", "profile_image": 5])["picture"] == .null)
    }

    @Test func nestedValuesDropped() {
        let attributes = Self.attributes([
            "id": "1", "username": "pinner",
            "about": ["html": "<b>bold</b>"],
            "board_count": [1, 2],
            "website_url": ["https://a.example/"],
        ])
        #expect(attributes["about"] == nil)
        #expect(attributes["board_count"] == nil)
        #expect(attributes["website_url"] == nil)
    }

    @Test func unknownFieldsDropped() {
        let attributes = Self.attributes([
            "id": "1", "username": "pinner", "email": "pinner@example.com",
            "access_token": "pina_secret", "user_id": "pinterest|2", "app_metadata": ["role": "admin"],
        ])
        #expect(attributes["email"] == nil)
        #expect(attributes["access_token"] == nil)
        #expect(attributes["user_id"] == nil)
        #expect(attributes["app_metadata"] == nil)
        #expect(attributes["id"] == nil)
    }

    @Test func scalarsOfOtherTypesKept() {
        let attributes = Self.attributes(["id": "1", "board_count": "12", "monthly_views": .null, "about": true])
        #expect(attributes["board_count"] == "12")
        #expect(attributes["monthly_views"] == .null)
        #expect(attributes["about"] == true)
    }

    @Test func identityNamesPinterest() {
        let identity = ProfileNormalizer.identity(userID: "pinterest|2783136121146311751")
        #expect(identity == ["provider": "pinterest", "connection": "pinterest", "user_id": "2783136121146311751", "isSocial": true])
    }
}
