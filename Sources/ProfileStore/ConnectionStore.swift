import HTTPKit

/// The storage behind the login flow: users, sessions and one-time login state. `FileStore` keeps
/// them in a directory; a shared-database backend can conform later without changing the callers.
/// Every method may be called from many threads at once.
public protocol ConnectionStore: Sendable {
    /// Returns the user's record, or nil when there is none.
    func user(id: String) throws(StoreError) -> UserRecord?

    /// Returns the profile of the user's record, or nil when there is none, without opening the
    /// sealed Pinterest tokens: `/profile` and `/auth` show only the profile, and opening the two
    /// tokens took an eighth of their instructions under callgrind.
    func profile(userID: String) throws(StoreError) -> JSON?

    /// Runs a locked read-modify-write of one user record. `change` receives the current record (nil if
    /// none) and returns the new one, or nil to leave the store unchanged. No other `updateUser` or
    /// `deleteUser` of that user runs in between, in any thread or process. `change` must not call
    /// `updateUser`, `deleteUser` or `saveSession`, which would wait for the lock it runs under.
    /// - Returns: the record written, or the unchanged current record.
    /// - Throws: `StoreError`, or whatever `change` throws (then nothing is written).
    @discardableResult
    func updateUser(id: String, _ change: (UserRecord?) throws -> UserRecord?) throws -> UserRecord?

    /// Deletes the user's record and ends all of the user's sessions.
    /// - Returns: whether a record existed.
    @discardableResult
    func deleteUser(id: String) throws(StoreError) -> Bool

    /// Returns up to `limit` users in a stable order that is not alphabetical, and the cursor for the
    /// next page, nil after the last one. Users created or deleted while paging may or may not
    /// appear, but no user appears twice.
    func listUsers(after cursor: String?, limit: Int) throws(StoreError) -> (users: [UserRecord], nextCursor: String?)

    /// Saves a session, replacing one with the same id. The user's record must exist.
    func saveSession(_ session: SessionRecord) throws(StoreError)

    /// Returns the session, or nil when it is missing or expired.
    func session(id: String) throws(StoreError) -> SessionRecord?

    /// Ends a session; ending a missing one is not an error.
    func deleteSession(id: String) throws(StoreError)

    func saveLoginState(_ state: LoginState) throws(StoreError)

    /// Removes and returns the login state. It returns a given state at most once, across threads
    /// and processes, and returns nil when the state is missing or expired.
    func takeLoginState(id: String) throws(StoreError) -> LoginState?

    /// Removes sessions and login states that expired by `now` (Unix seconds) without reading any
    /// user record. The service calls it periodically. A backend may leave items that expired
    /// shortly before `now` to a later call, because reads already treat them as missing.
    /// - Returns: how many sessions and login states it removed.
    @discardableResult
    func purgeExpired(now: Int64) throws(StoreError) -> Int

    /// Checks that the store's directories exist and a file can be created, for a health check.
    func checkWritable() throws(StoreError)
}
