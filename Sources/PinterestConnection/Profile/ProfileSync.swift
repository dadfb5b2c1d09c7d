import HTTPKit
import ProfileStore

/// Decides what a login writes to a user's record.
///
/// With sync on, every login overwrites the attributes Pinterest owns (`name`, `nickname`,
/// `picture` and the Pinterest attributes). With sync off, only the first login writes them, so
/// edits made through the user API stick. `user_metadata`, `app_metadata`, `user_id` and
/// `created_at` always survive, and every login updates `last_login`, `logins_count` and the tokens.
enum ProfileSync {
    static func merge(existing: UserRecord?, userID: String, account: JSON, tokens: PinterestTokens,
                      sync: Bool, now: Int64) -> UserRecord {
        let timestamp = JSON.string(Clock.iso8601(now))
        let attributes = ProfileNormalizer.attributes(for: account, userID: userID)

        guard let existing, var profile = existing.profile.objectValue else {
            var profile = attributes
            profile["user_id"] = .string(userID)
            profile["identities"] = [ProfileNormalizer.identity(userID: userID)]
            profile["created_at"] = timestamp
            profile["updated_at"] = timestamp
            profile["last_login"] = timestamp
            profile["logins_count"] = 1
            profile["user_metadata"] = [:]
            profile["app_metadata"] = [:]
            return UserRecord(userID: userID, profile: .object(profile), tokens: tokens)
        }

        if sync {
            // An attribute the fresh answer lacks (a business name removed, say) is removed too.
            for name in ProfileNormalizer.pinterestAttributes + ProfileNormalizer.syncedRootAttributes {
                profile[name] = nil
            }
            profile.merge(attributes) { _, fresh in fresh }
            profile["updated_at"] = timestamp
        }
        profile["last_login"] = timestamp
        profile["logins_count"] = .int((profile["logins_count"]?.intValue ?? 0) + 1)

        // A grant without a refresh token keeps the one from an earlier login, which still works.
        var tokens = tokens
        if tokens.refreshToken == nil, let previous = existing.tokens {
            tokens.refreshToken = previous.refreshToken
            tokens.refreshTokenExpiresAt = previous.refreshTokenExpiresAt
        }
        return UserRecord(userID: userID, profile: .object(profile), tokens: tokens)
    }
}
