import Crypto

/// The paths of the files under the store's directory:
///
///     users/ab/cd/<key>.json         the user record
///     users/ab/cd/<key>.sessions     the ids (as SHA-256) and expiry of the user's sessions
///     sessions/ab/cd/<key>.json      one session
///     login-states/ab/cd/<key>.json  one pending login
///     expiry/<bucket>/<kind>-<key>   an empty marker per session or login state, by expiry time
///     tmp/*.tmp                      files being written, renamed into place when complete
///
/// `<key>` is the lowercase hex SHA-256 of the user, session or state id, and `ab/cd` are its first
/// four hex digits. Any id, including `../x`, NUL bytes or 10 KB of text, thus maps to a fixed-size
/// name inside the store, 65,536 shard directories keep each directory small at millions of users,
/// and no file name reveals a session id.
struct StoreLayout: Sendable {
    let root: String
    let users: String
    let sessions: String
    let loginStates: String
    let expiry: String
    let temporary: String

    init(root: String) {
        self.root = root
        users = root + "/users"
        sessions = root + "/sessions"
        loginStates = root + "/login-states"
        expiry = root + "/expiry"
        temporary = root + "/tmp"
    }

    var topLevelDirectories: [String] { [users, sessions, loginStates, expiry, temporary] }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Returns the lowercase hex SHA-256 of an id's UTF-8 bytes, 64 characters.
    static func key(for id: String) -> String {
        let digest = sha256(id.utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(digest.count * 2)
        for byte in digest {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    static func isKey(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && isLowercaseHex(text)
    }

    static func isLowercaseHex(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// `base/ab/cd` for a key starting with `abcd`.
    static func shard(_ base: String, _ key: String) -> String {
        let utf8 = key.utf8
        let first = utf8.index(utf8.startIndex, offsetBy: 2)
        let second = utf8.index(first, offsetBy: 2)
        return base + "/" + String(key[..<first]) + "/" + String(key[first..<second])
    }

    func userShard(_ key: String) -> String { StoreLayout.shard(users, key) }
    func userRecord(_ key: String) -> String { userShard(key) + "/" + key + ".json" }
    func sessionIndex(_ key: String) -> String { userShard(key) + "/" + key + ".sessions" }
    func sessionShard(_ key: String) -> String { StoreLayout.shard(sessions, key) }
    func session(_ key: String) -> String { sessionShard(key) + "/" + key + ".json" }
    func loginStateShard(_ key: String) -> String { StoreLayout.shard(loginStates, key) }
    func loginState(_ key: String) -> String { loginStateShard(key) + "/" + key + ".json" }

    // MARK: Expiry

    /// Width of an expiry bucket. `purgeExpired` removes a bucket once all of it lies in the past,
    /// so an item is purged between 0 and this many seconds after it expires.
    static let expiryBucketSeconds: Int64 = 600

    enum MarkerKind: String {
        case session
        case loginState = "login-state"
    }

    static func expiryBucket(for expiresAt: Int64) -> Int64 {
        let time = max(0, expiresAt)
        return time - time % expiryBucketSeconds
    }

    func expiryBucketDirectory(_ bucket: Int64) -> String { expiry + "/" + String(bucket) }

    static func markerName(_ kind: MarkerKind, _ key: String) -> String { kind.rawValue + "-" + key }

    static func parseMarkerName(_ name: String) -> (kind: MarkerKind, key: String)? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let key = name[name.index(after: dash)...]
        guard let kind = MarkerKind(rawValue: String(name[..<dash])), isKey(key) else { return nil }
        return (kind, String(key))
    }
}
