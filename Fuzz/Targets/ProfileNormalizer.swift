// Pinterest's user account, as any JSON: the user id is `pinterest|` and digits or the account is
// rejected, and the profile a first and a later login build is stored and read back unchanged.
import Crypto
import HTTPKit
@testable import PinterestConnection
@testable import ProfileStore

let cipher = try! AESGCM(key: [UInt8](repeating: 0x42, count: 32))
let now: Int64 = 1_800_000_000

func fuzzOne(_ bytes: [UInt8]) {
    guard let account = try? JSONParser(maximumDepth: 16, maximumBytes: 1 << 16).parse(bytes) else { return }
    guard case .success(let userID) = ProfileNormalizer.userID(for: account) else { return }
    let digits = userID.dropFirst("pinterest|".count)
    require(userID.hasPrefix("pinterest|") && !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 },
            "user id \(userID.prefix(60)) accepted")

    let tokens = PinterestTokens(accessToken: "pina_fuzz", accessTokenExpiresAt: now + 60, refreshToken: nil,
                                 refreshTokenExpiresAt: nil, scope: "user_accounts:read")
    for sync in [true, false] {
        let first = ProfileSync.merge(existing: nil, userID: userID, account: account, tokens: tokens, sync: sync, now: now)
        let second = ProfileSync.merge(existing: first, userID: userID, account: account, tokens: tokens, sync: sync, now: now + 1)
        require(second.profile["logins_count"] == .int(2), "the second login did not count")
        require(second.profile["user_id"] == .string(userID), "the profile's user_id changed")
        for record in [first, second] {
            let encoded: [UInt8]
            do {
                encoded = try RecordCoding.encodeUser(record, cipher: cipher)
            } catch {
                // The parser caps the input's size and nesting well below the store's limits.
                require(false, "a profile from \(bytes.count) bytes was refused: \(error)")
                return
            }
            let decoded = try? RecordCoding.decodeUser(encoded, path: "fuzz", userID: userID, cipher: cipher)
            require(decoded == record, "the stored record does not read back unchanged")
        }
    }
}
