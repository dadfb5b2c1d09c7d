#if canImport(Glibc)
import Glibc
#endif
import HTTPKit

// Sessions, login states and their expiry. A session or login state is one file named after the
// SHA-256 of its id, plus an empty marker in `expiry/<bucket>/` so `purgeExpired` finds it by
// expiry time alone. A user's session index (`users/ab/cd/<key>.sessions`) lists the user's
// sessions so `deleteUser` can end them.
extension FileStore {
    // MARK: Sessions

    /// The maximum number of sessions one user keeps. Every login of a user rewrites the user's session index
    /// under the shard lock and checks each entry's file, so without a bound a user who logs in
    /// again and again (a script, say) makes each of the user's logins slower than the last.
    public static let maximumSessionsPerUser = 100

    /// Saves a session under the lock of its user's shard, after checking that the user's record
    /// exists. A session therefore never outlives a `deleteUser` that runs after the save, and a
    /// user who is deleted and logs in again gets none of the old sessions back.
    /// - Throws: `userNotFound` when the user has no record.
    public func saveSession(_ session: SessionRecord) throws(StoreError) {
        guard !session.id.isEmpty else { throw .invalidArgument(name: "session id", reason: "the session id is empty") }
        let userKey = StoreLayout.key(for: session.userID)
        let userShard = layout.userShard(userKey)
        guard FileSystem.fileExists(layout.userRecord(userKey)) else { throw .userNotFound(userID: session.userID) }

        let lock = try FileSystem.lockDirectory(userShard)
        defer { close(lock) }
        guard FileSystem.fileExists(layout.userRecord(userKey)) else { throw .userNotFound(userID: session.userID) }

        let sessionKey = StoreLayout.key(for: session.id)
        let now = Clock.unixTime()
        let indexPath = layout.sessionIndex(userKey)
        var entries = try reportingCorruption { () throws(StoreError) in try readSessionIndex(indexPath) }
        entries.removeAll { entry in
            entry.key == sessionKey || entry.expiresAt <= now || !FileSystem.fileExists(layout.session(entry.key))
        }

        // Past the bound, the sessions that expire first end. Their files go before the index
        // drops them, so a crash in between cannot leave a session that `deleteUser` would miss.
        if entries.count >= Self.maximumSessionsPerUser {
            entries.sort { $0.expiresAt < $1.expiresAt }
            let ended = entries.prefix(entries.count - Self.maximumSessionsPerUser + 1)
            try removeSessions(ended.map(\.key))
            entries.removeFirst(ended.count)
        }
        entries.append(RecordCoding.IndexEntry(key: sessionKey, expiresAt: session.expiresAt))

        // The index names the session before its file exists, so a crash between the two writes
        // cannot leave a session that `deleteUser` would miss.
        try FileSystem.writeAtomically(
            RecordCoding.encodeSessionIndex(entries), to: indexPath,
            directory: userShard, directoryDescriptor: lock, temporaryDirectory: layout.temporary
        )
        try addExpiryMarker(.session, key: sessionKey, expiresAt: session.expiresAt)
        try writeIntoShard(RecordCoding.encodeSession(session), to: layout.session(sessionKey),
                           shard: layout.sessionShard(sessionKey))
    }

    /// Writes a record atomically into its shard directory, creating the shard when it is new.
    private func writeIntoShard(_ bytes: [UInt8], to path: String, shard: String) throws(StoreError) {
        let shardDescriptor = try FileSystem.openDirectory(shard, create: true)
        defer { close(shardDescriptor) }
        try FileSystem.writeAtomically(
            bytes, to: path,
            directory: shard, directoryDescriptor: shardDescriptor, temporaryDirectory: layout.temporary
        )
    }

    /// Reads the session with one open and read, and no lock.
    public func session(id: String) throws(StoreError) -> SessionRecord? {
        let path = layout.session(StoreLayout.key(for: id))
        let session = try reportingCorruption { () throws(StoreError) -> SessionRecord? in
            guard let bytes = try FileSystem.readFile(at: path, maximumBytes: RecordCoding.maximumRecordBytes) else { return nil }
            return try RecordCoding.decodeSession(bytes, id: id, path: path)
        }
        guard let session, session.expiresAt > Clock.unixTime() else { return nil }
        return session
    }

    /// Removes the session's file. Its entry in the user's session index goes at the user's next
    /// `saveSession`, and its expiry marker at the next `purgeExpired` after it would have expired.
    public func deleteSession(id: String) throws(StoreError) {
        let key = StoreLayout.key(for: id)
        if try FileSystem.removeFile(layout.session(key)) {
            try FileSystem.syncDirectory(layout.sessionShard(key))
        }
    }

    func readSessionIndex(_ path: String) throws(StoreError) -> [RecordCoding.IndexEntry] {
        guard let bytes = try FileSystem.readFile(at: path, maximumBytes: RecordCoding.maximumRecordBytes) else { return [] }
        return try RecordCoding.decodeSessionIndex(bytes, path: path)
    }

    func removeSessions(_ keys: [String]) throws(StoreError) {
        var shards = Set<String>()
        for key in keys where try FileSystem.removeFile(layout.session(key)) {
            shards.insert(layout.sessionShard(key))
        }
        for shard in shards {
            try FileSystem.syncDirectory(shard)
        }
    }

    // MARK: Login states

    public func saveLoginState(_ state: LoginState) throws(StoreError) {
        guard !state.id.isEmpty else { throw .invalidArgument(name: "login state id", reason: "the state is empty") }
        let key = StoreLayout.key(for: state.id)

        try addExpiryMarker(.loginState, key: key, expiresAt: state.expiresAt)
        try writeIntoShard(RecordCoding.encodeLoginState(state), to: layout.loginState(key),
                           shard: layout.loginStateShard(key))
    }

    /// Reads the login state, then removes its file. `unlink` succeeds for exactly one caller, in
    /// any thread or process, and only that caller gets the state. The removal is made durable
    /// before it is returned, so the state cannot come back after a crash and be used twice.
    public func takeLoginState(id: String) throws(StoreError) -> LoginState? {
        let key = StoreLayout.key(for: id)
        let path = layout.loginState(key)
        let state = try reportingCorruption { () throws(StoreError) -> LoginState? in
            guard let bytes = try FileSystem.readFile(at: path, maximumBytes: RecordCoding.maximumRecordBytes) else { return nil }
            return try RecordCoding.decodeLoginState(bytes, id: id, path: path)
        }
        guard let state, try FileSystem.removeFile(path) else { return nil }
        try FileSystem.syncDirectory(layout.loginStateShard(key))
        return state.expiresAt > Clock.unixTime() ? state : nil
    }

    // MARK: Expiry

    /// Adds the empty marker that lets `purgeExpired` find the item by its expiry time.
    func addExpiryMarker(_ kind: StoreLayout.MarkerKind, key: String, expiresAt: Int64) throws(StoreError) {
        let directory = layout.expiryBucketDirectory(StoreLayout.expiryBucket(for: expiresAt))
        let path = directory + "/" + StoreLayout.markerName(kind, key)
        do {
            try FileSystem.makeDirectory(directory)
            try FileSystem.touch(path)
        } catch {
            // `purgeExpired` removes a bucket directory once it lies in the past, which can happen
            // between the two calls above when the item is already expired.
            try FileSystem.makeDirectory(directory)
            try FileSystem.touch(path)
        }
        try FileSystem.syncDirectory(directory)
    }

    /// Reads only the expiry buckets that lie wholly before `now`, so an item is removed up to
    /// `StoreLayout.expiryBucketSeconds` (10 minutes) after it expires. A corrupt session or login
    /// state is logged and left in place.
    @discardableResult
    public func purgeExpired(now: Int64) throws(StoreError) -> Int {
        var removed = 0
        for name in try FileSystem.listDirectory(layout.expiry) ?? [] {
            // Written as a subtraction from `now`, so a bucket near Int64.max cannot overflow.
            guard let bucket = Int64(name), String(bucket) == name, bucket >= 0, now >= bucket,
                now - bucket >= StoreLayout.expiryBucketSeconds
            else { continue }
            let directory = layout.expiryBucketDirectory(bucket)

            for markerName in try FileSystem.listDirectory(directory) ?? [] {
                guard let (kind, key) = StoreLayout.parseMarkerName(markerName) else { continue }
                let purged = switch kind {
                case .session: try purgeSession(key: key, now: now)
                case .loginState: try purgeLoginState(key: key, now: now)
                }
                if purged { removed += 1 }
                try FileSystem.removeFile(directory + "/" + markerName)
            }
            // Fails with ENOTEMPTY when a marker was added meanwhile; a later purge removes it.
            rmdir(directory)
        }
        if removed > 0 {
            Log.info("purged expired sessions and login states", ["count": String(removed)])
        }
        return removed
    }

    /// Removes the session if it expired by `now`. It checks again under the user's lock, because a
    /// concurrent `saveSession` with the same id may be extending it.
    private func purgeSession(key: String, now: Int64) throws(StoreError) -> Bool {
        let path = layout.session(key)
        guard let session = try readForPurge(path, { bytes throws(StoreError) in try RecordCoding.decodeSession(bytes, id: "", path: path) }),
            session.expiresAt <= now
        else { return false }

        let lock = try FileSystem.lockDirectory(layout.userShard(StoreLayout.key(for: session.userID)))
        defer { close(lock) }
        guard let current = try readForPurge(path, { bytes throws(StoreError) in try RecordCoding.decodeSession(bytes, id: "", path: path) }),
            current.expiresAt <= now,
            try FileSystem.removeFile(path)
        else { return false }
        try FileSystem.syncDirectory(layout.sessionShard(key))
        return true
    }

    private func purgeLoginState(key: String, now: Int64) throws(StoreError) -> Bool {
        let path = layout.loginState(key)
        guard let state = try readForPurge(path, { bytes throws(StoreError) in try RecordCoding.decodeLoginState(bytes, id: "", path: path) }),
            state.expiresAt <= now,
            try FileSystem.removeFile(path)
        else { return false }
        try FileSystem.syncDirectory(layout.loginStateShard(key))
        return true
    }

    /// Reads and decodes a file for `purgeExpired`: nil when it is missing, or corrupt (then logged),
    /// so one bad file does not stop every later purge.
    private func readForPurge<T>(_ path: String, _ decode: ([UInt8]) throws(StoreError) -> T) throws(StoreError) -> T? {
        do {
            guard let bytes = try FileSystem.readFile(at: path, maximumBytes: RecordCoding.maximumRecordBytes) else { return nil }
            return try decode(bytes)
        } catch {
            guard case .corruptRecord = error else { throw error }
            report(error)
            return nil
        }
    }
}
