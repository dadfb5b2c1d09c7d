import Glibc
import HTTPKit
import Synchronization
import Testing
@testable import ProfileStore

let tokenKey = [UInt8](repeating: 0x42, count: 32)

/// Runs `body` with a new directory under /tmp, and removes the directory and everything in it
/// afterwards, whether `body` returns or throws.
@discardableResult
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    var template = Array("/tmp/profile-store-tests-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    try #require(created != nil)
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { removeTree(path) }
    return try body(path)
}

/// Removes a directory tree without following symbolic links.
func removeTree(_ path: String) {
    var status = stat()
    guard lstat(path, &status) == 0 else { return }
    if status.st_mode & S_IFMT == S_IFDIR {
        chmod(path, 0o700)
        for name in (try? FileSystem.listDirectory(path)) ?? [] {
            removeTree(path + "/" + name)
        }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// Lists every file and directory under `path`, as paths relative to it.
func walkTree(_ path: String, prefix: String = "") -> [(path: String, isDirectory: Bool)] {
    var entries: [(path: String, isDirectory: Bool)] = []
    for name in ((try? FileSystem.listDirectory(path)) ?? []).sorted() {
        var status = stat()
        guard lstat(path + "/" + name, &status) == 0 else { continue }
        let relative = prefix + name
        let isDirectory = status.st_mode & S_IFMT == S_IFDIR
        entries.append((relative, isDirectory))
        if isDirectory { entries += walkTree(path + "/" + name, prefix: relative + "/") }
    }
    return entries
}

func fileMode(_ path: String) -> mode_t? {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    return status.st_mode & 0o7777
}

func readBytes(_ path: String) -> [UInt8]? {
    try? FileSystem.readFile(at: path, maximumBytes: 1 << 24)
}

func writeBytes(_ bytes: [UInt8], to path: String) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(descriptor >= 0, "cannot create \(path)")
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

func makeStore(_ directory: String) throws -> FileStore {
    try FileStore(directory: directory + "/store", tokenKey: tokenKey)
}

func sampleTokens(_ suffix: String = "") -> PinterestTokens {
    PinterestTokens(
        accessToken: "pina_ACCESSTOKENSECRET" + suffix,
        accessTokenExpiresAt: 1_900_000_000,
        refreshToken: "pinr_REFRESHTOKENSECRET" + suffix,
        refreshTokenExpiresAt: 1_950_000_000,
        scope: "user_accounts:read pins:read"
    )
}

func sampleUser(_ id: String, loginsCount: Int64 = 1, tokens: PinterestTokens? = sampleTokens()) -> UserRecord {
    let profile: JSON = [
        "user_id": .string(id),
        "nickname": "ada",
        "name": "Ada Lovelace",
        "picture": "https://i.pinimg.com/600x600_R/ada.jpg",
        "identities": [["provider": "pinterest", "user_id": "2783136121146311751", "connection": "pinterest", "isSocial": true]],
        "created_at": "2025-01-01T00:00:00.000Z",
        "logins_count": .int(loginsCount),
        "user_metadata": [:],
        "app_metadata": [:],
    ]
    return UserRecord(userID: id, profile: profile, tokens: tokens)
}

/// Creates or updates the user the way a login does: one more login on each call.
@discardableResult
func recordLogin(_ store: FileStore, _ id: String, pause microseconds: UInt32 = 0) throws -> UserRecord? {
    try store.updateUser(id: id) { current in
        // A pause inside the lock widens the window in which an unlocked update would lose a login.
        if microseconds > 0 { usleep(microseconds) }
        guard var record = current else { return sampleUser(id) }
        record.profile["logins_count"] = .int((record.profile["logins_count"]?.intValue ?? 0) + 1)
        return record
    }
}

let farFuture: Int64 = 4_000_000_000

func sampleSession(_ id: String, userID: String, expiresAt: Int64 = farFuture) -> SessionRecord {
    SessionRecord(id: id, userID: userID, clientID: "client-1", createdAt: 1_700_000_000, expiresAt: expiresAt)
}

func sampleLoginState(_ id: String, expiresAt: Int64 = farFuture) -> LoginState {
    LoginState(
        id: id, clientID: "client-1", redirectURI: "https://app.example/callback", clientState: "app-state",
        browserBinding: "binding-hash", createdAt: 1_700_000_000, expiresAt: expiresAt
    )
}

/// Starts `count` threads that each run `body` with their index, released together so they
/// overlap, and waits for all of them.
func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Start: Sendable {
        let ready = Atomic<Int>(0)
    }
    final class Work: @unchecked Sendable {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    let start = Start()
    var threads: [pthread_t] = []
    for index in 0..<count {
        let work = Work {
            start.ready.add(1, ordering: .acquiringAndReleasing)
            while start.ready.load(ordering: .acquiring) < count { sched_yield() }
            body(index)
        }
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(work).toOpaque())
        precondition(result == 0, "pthread_create failed")
        threads.append(thread)
    }
    for thread in threads {
        pthread_join(thread, nil)
    }
}
