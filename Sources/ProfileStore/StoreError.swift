/// A failure of the store, naming the file or value involved and what an operator can do about it.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// A file that cannot be parsed, or whose tokens do not open with the token key. The store
    /// leaves the file as it is.
    case corruptRecord(path: String, reason: String)
    /// A write failed: disk full, read-only file system, missing directory or permissions.
    case notWritable(path: String, reason: String)
    /// Any other failed file system call.
    case ioFailure(path: String, reason: String)
    /// An id, cursor or limit that the store cannot accept.
    case invalidArgument(name: String, reason: String)
    /// A record that the store would not be able to read back, or that names another user.
    case invalidRecord(reason: String)
    /// A session was saved for a user that has no record, or whose record was deleted.
    case userNotFound(userID: String)
    /// The token key is not 32 bytes long.
    case invalidTokenKey(length: Int)
    /// OpenSSL failed to seal a token.
    case encryptionFailure(reason: String)

    public var description: String {
        switch self {
        case .corruptRecord(let path, let reason):
            "corrupt record \(path): \(reason). The store left the file untouched; restore it from a backup, "
                + "repair it, or remove it (a user can also be deleted through the store)."
        case .notWritable(let path, let reason):
            "cannot write \(path): \(reason). Check that the store directory exists, belongs to the service's "
                + "user, and is on a file system mounted read-write with free space and inodes."
        case .ioFailure(let path, let reason):
            "file system call failed on \(path): \(reason)."
        case .invalidArgument(let name, let reason):
            "invalid \(name): \(reason)."
        case .invalidRecord(let reason):
            "invalid record: \(reason)."
        case .userNotFound(let userID):
            "user not found: \(StoreError.abbreviated(userID)). Create or update the user before saving a session for it."
        case .invalidTokenKey(let length):
            "invalid token key: AES-256-GCM needs 32 bytes, got \(length). Generate one with "
                + "`openssl rand -base64 32` and keep it apart from the session key."
        case .encryptionFailure(let reason):
            "sealing a token with AES-256-GCM failed in OpenSSL: \(reason)."
        }
    }

    /// User ids come from URLs, so a message shows at most the first 200 characters of one.
    static func abbreviated(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(200)) + "…"
    }
}
