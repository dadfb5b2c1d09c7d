#if canImport(Glibc)
import Glibc
#endif
import Crypto
import HTTPKit
import Synchronization

/// A `ConnectionStore` in a local directory, shared safely by the threads of one process and by
/// several processes. `StoreLayout` describes the files.
///
/// - Reads (`user`, `session`) take no lock: every file is replaced by an atomic rename, so a
///   reader sees the old or the new file, never a torn one.
/// - Writes of a user's record, of the user's session index and the deletion of a user hold an
///   exclusive `flock` on the user's shard directory (`users/ab/cd`). Shard directories are never
///   removed, so the lock needs no extra files. A user shares the lock with the other users of the
///   same shard, about 1 in 65,536 of all users.
/// - Files are created with mode 0600 and directories with 0700, whatever the umask.
public final class FileStore: ConnectionStore {
    /// The store's directory, as given to `init`.
    public let directory: String
    let layout: StoreLayout
    let cipher: AESGCM
    /// How often each corrupt file was reported, so a file read on every request is not logged
    /// on every request.
    private let corruptionReports = Mutex<[String: Int]>([:])

    /// Opens the store, creating its directory tree with mode 0700 if needed, and removes the
    /// temporary files that a crashed or killed writer left behind.
    /// - Parameter tokenKey: the 32-byte AES-256-GCM key that seals Pinterest tokens; keep it apart
    ///   from any session or cookie key.
    public init(directory: String, tokenKey: [UInt8]) throws(StoreError) {
        guard let cipher = try? AESGCM(key: tokenKey) else { throw .invalidTokenKey(length: tokenKey.count) }
        guard !directory.isEmpty, !directory.utf8.contains(0) else {
            throw .invalidArgument(name: "store directory", reason: "the path is empty or contains a NUL byte")
        }
        var root = directory
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }

        self.directory = directory
        self.layout = StoreLayout(root: root)
        self.cipher = cipher

        try FileSystem.makeDirectories(root)
        try Self.restrictPermissions(of: root)
        for path in layout.topLevelDirectories {
            try FileSystem.makeDirectory(path)
        }
        let removed = try FileSystem.removeAbandonedTemporaryFiles(in: layout.temporary)
        if removed > 0 {
            Log.info("removed abandoned temporary files from the profile store", ["directory": layout.temporary, "count": String(removed)])
        }
    }

    /// Sets an existing store directory to mode 0700, because it contains profiles and session data.
    private static func restrictPermissions(of path: String) throws(StoreError) {
        var status = stat()
        guard stat(path, &status) == 0 else { throw FileSystem.writeError(path, errno) }
        guard status.st_mode & 0o7777 != 0o700 else { return }
        guard chmod(path, 0o700) == 0 else { throw FileSystem.writeError(path, errno) }
        Log.warning("set the profile store directory to mode 0700", ["directory": path, "previous_mode": String(status.st_mode & 0o7777, radix: 8)])
    }

    // MARK: Users

    public func user(id: String) throws(StoreError) -> UserRecord? {
        let key = StoreLayout.key(for: id)
        return try reportingCorruption { () throws(StoreError) in try readUser(id: id, key: key) }
    }

    public func profile(userID id: String) throws(StoreError) -> JSON? {
        let path = layout.userRecord(StoreLayout.key(for: id))
        return try reportingCorruption { () throws(StoreError) -> JSON? in
            guard let bytes = try FileSystem.readFile(at: path, maximumBytes: RecordCoding.maximumRecordBytes) else { return nil }
            return try RecordCoding.decodeProfile(bytes, path: path, userID: id)
        }
    }

    private func readUser(id: String, key: String) throws(StoreError) -> UserRecord? {
        let path = layout.userRecord(key)
        guard let bytes = try FileSystem.readFile(at: path, maximumBytes: RecordCoding.maximumRecordBytes) else { return nil }
        return try RecordCoding.decodeUser(bytes, path: path, userID: id, cipher: cipher)
    }

    /// See `ConnectionStore.updateUser`. A corrupt current record fails with `corruptRecord` before
    /// `change` runs, and is never overwritten.
    @discardableResult
    public func updateUser(id: String, _ change: (UserRecord?) throws -> UserRecord?) throws -> UserRecord? {
        guard !id.isEmpty else { throw StoreError.invalidArgument(name: "user id", reason: "the user id is empty") }
        let key = StoreLayout.key(for: id)
        let shard = layout.userShard(key)

        let lock = try FileSystem.lockDirectory(shard)
        defer { close(lock) }

        let current = try reportingCorruption { () throws(StoreError) in try readUser(id: id, key: key) }
        guard let updated = try change(current) else { return current }
        guard updated.userID.utf8.elementsEqual(id.utf8) else {
            throw StoreError.invalidRecord(
                reason: "updateUser for \(StoreError.abbreviated(id)) returned a record of \(StoreError.abbreviated(updated.userID))"
            )
        }

        let bytes = try RecordCoding.encodeUser(updated, cipher: cipher)
        try FileSystem.writeAtomically(
            bytes, to: layout.userRecord(key), directory: shard, directoryDescriptor: lock, temporaryDirectory: layout.temporary
        )
        return updated
    }

    /// Deletes the user's sessions first and the record last, so a crash part way leaves a user who
    /// still exists and can be deleted again, never sessions whose user is gone.
    @discardableResult
    public func deleteUser(id: String) throws(StoreError) -> Bool {
        let key = StoreLayout.key(for: id)
        let shard = layout.userShard(key)
        guard FileSystem.fileExists(shard) else { return false }

        let lock = try FileSystem.lockDirectory(shard)
        defer { close(lock) }

        let indexPath = layout.sessionIndex(key)
        let entries = try reportingCorruption { () throws(StoreError) in try readSessionIndex(indexPath) }
        try removeSessions(entries.map(\.key))
        try FileSystem.removeFile(indexPath)
        let existed = try FileSystem.removeFile(layout.userRecord(key))
        try FileSystem.syncDirectory(descriptor: lock, path: shard)
        if existed {
            Log.info("deleted user from the profile store", ["user_id": StoreError.abbreviated(id), "sessions": String(entries.count)])
        }
        return existed
    }

    /// Pages through the shards in key order, reading only the shard directories that the page
    /// spans, so a page costs the same at a thousand users or at millions. A corrupt record is
    /// logged and skipped, so that one bad file does not hide every user after it.
    /// - Parameter cursor: nil for the first page, then the `nextCursor` of the previous page.
    /// - Parameter limit: 1 to 1,000 users per page.
    public func listUsers(after cursor: String?, limit: Int) throws(StoreError) -> (users: [UserRecord], nextCursor: String?) {
        guard (1...1000).contains(limit) else {
            throw .invalidArgument(name: "limit", reason: "\(limit) is not between 1 and 1000")
        }
        if let cursor, !StoreLayout.isKey(cursor) {
            throw .invalidArgument(name: "cursor", reason: "a cursor is the nextCursor of a previous page, 64 lowercase hex digits")
        }
        let after = cursor ?? ""
        let afterFirst = String(after.prefix(2))
        let afterShard = String(after.prefix(4))

        var users: [UserRecord] = []
        for first in try sortedShardNames(layout.users) where first >= afterFirst {
            for second in try sortedShardNames(layout.users + "/" + first) where first + second >= afterShard {
                let shard = layout.users + "/" + first + "/" + second
                let keys = (try FileSystem.listDirectory(shard) ?? [])
                    .compactMap { name -> String? in
                        guard name.hasSuffix(".json") else { return nil }
                        let key = String(name.dropLast(5))
                        return StoreLayout.isKey(key) ? key : nil
                    }
                    .filter { $0 > after }
                    .sorted()
                for key in keys {
                    let path = layout.userRecord(key)
                    do {
                        if let bytes = try FileSystem.readFile(at: path, maximumBytes: RecordCoding.maximumRecordBytes) {
                            users.append(try RecordCoding.decodeUser(bytes, path: path, key: key, cipher: cipher))
                        }
                    } catch {
                        guard case .corruptRecord = error else { throw error }
                        report(error)
                    }
                    if users.count == limit { return (users, key) }
                }
            }
        }
        return (users, nil)
    }

    private func sortedShardNames(_ directory: String) throws(StoreError) -> [String] {
        (try FileSystem.listDirectory(directory) ?? [])
            .filter { $0.utf8.count == 2 && StoreLayout.isLowercaseHex($0) }
            .sorted()
    }

    // MARK: Health

    public func checkWritable() throws(StoreError) {
        for path in layout.topLevelDirectories {
            guard access(path, W_OK | X_OK) == 0 else { throw FileSystem.writeError(path, errno) }
        }
        let (descriptor, path) = try FileSystem.createTemporaryFile(in: layout.temporary)
        defer {
            close(descriptor)
            unlink(path)
        }
        try FileSystem.writeAll([0x0A], to: descriptor, path: path)
    }

    // MARK: Corruption reports

    /// Runs `body`, logging a `corruptRecord` error before rethrowing it.
    func reportingCorruption<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            if case .corruptRecord = error { report(error) }
            throw error
        }
    }

    /// Logs a corrupt file on its 1st, 10th, 100th... report in this process.
    func report(_ error: StoreError) {
        guard case .corruptRecord(let path, let reason) = error else { return }
        let count = corruptionReports.withLock { reports in
            // Bounds the memory if a great many files turn corrupt.
            if reports.count >= 10_000 { reports.removeAll() }
            reports[path, default: 0] += 1
            return reports[path]!
        }
        var power = 1
        while power < count { power *= 10 }
        guard power == count else { return }
        Log.error("corrupt record in the profile store", ["path": path, "reason": reason, "reports": String(count)])
    }
}
