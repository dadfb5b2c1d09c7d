import HTTPKit

/// Turns Pinterest's `/v5/user_account` response into the normalized profile attributes that
/// identity brokers use, keyed on the numeric Pinterest id and never on the username.
public enum ProfileNormalizer {
    /// Pinterest attributes kept under their own names when present.
    public static let pinterestAttributes = [
        "account_type", "profile_image", "website_url", "about", "business_name", "board_count",
        "pin_count", "follower_count", "following_count", "monthly_views",
    ]

    /// The root attributes that sync overwrites at each login: these and every Pinterest attribute.
    public static let syncedRootAttributes = ["name", "nickname", "picture", "username"]

    public enum Failure: Error, Equatable {
        case missingID
        case invalidID(String)
    }

    /// The user id for an account: `pinterest|` followed by Pinterest's numeric id.
    public static func userID(for account: JSON) -> Result<String, Failure> {
        guard let id = account["id"]?.stringValue ?? account["id"]?.intValue.map(String.init), !id.isEmpty else {
            return .failure(.missingID)
        }
        guard id.count <= 32, id.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return .failure(.invalidID(String(id.prefix(40))))
        }
        return .success("pinterest|\(id)")
    }

    /// The attributes Pinterest owns: what a synced login writes at the profile's root.
    public static func attributes(for account: JSON, userID: String) -> [String: JSON] {
        let username = account["username"]?.stringValue
        let businessName = account["business_name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var attributes: [String: JSON] = [
            "nickname": username.map(JSON.string) ?? .null,
            "name": (businessName ?? username).map(JSON.string) ?? .null,
            "picture": account["profile_image"]?.stringValue.map(JSON.string) ?? .null,
            "username": username.map(JSON.string) ?? .null,
        ]
        for name in pinterestAttributes {
            guard let value = account[name] else { continue }
            switch value {
            case .string, .int, .double, .bool, .null: attributes[name] = value
            // Nested values are not part of the documented schema; they are dropped rather than stored.
            case .array, .object: continue
            }
        }
        return attributes
    }

    /// The identities entry, as identity brokers list linked accounts.
    public static func identity(userID: String) -> JSON {
        let pinterestID = String(userID.dropFirst("pinterest|".count))
        return ["provider": "pinterest", "connection": "pinterest", "user_id": .string(pinterestID), "isSocial": true]
    }
}
