import Glibc
import HTTPKit
import Testing
@testable import ProfileStore

@Suite struct FileSafetyTests {
    @Test func modesIgnoreUmask() throws {
        try withTemporaryDirectory { directory in
            let previous = umask(0)
            defer { umask(previous) }
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("session-a", userID: "pinterest|1"))
            try store.saveLoginState(sampleLoginState("state-a"))

            #expect(fileMode(directory + "/store") == 0o700)
            let entries = walkTree(directory + "/store")
            #expect(entries.count > 10)
            for entry in entries {
                let mode = fileMode(directory + "/store/" + entry.path)
                #expect(mode == (entry.isDirectory ? 0o700 : 0o600), "\(entry.path)")
            }
        }
    }

    @Test func existingDirectoryRestricted() throws {
        try withTemporaryDirectory { directory in
            mkdir(directory + "/store", 0o755)
            chmod(directory + "/store", 0o755)
            _ = try makeStore(directory)
            #expect(fileMode(directory + "/store") == 0o700)
        }
    }

    @Test func tokensNotInPlaintext() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let user = sampleUser("pinterest|1")
            try store.updateUser(id: user.userID) { _ in user }
            let bytes = try #require(readBytes(store.layout.userRecord(StoreLayout.key(for: user.userID))))
            let text = String(decoding: bytes, as: UTF8.self)

            #expect(text.contains("Ada Lovelace"))
            #expect(!text.contains("ACCESSTOKENSECRET"))
            #expect(!text.contains("REFRESHTOKENSECRET"))
        }
    }

    @Test func tokenBoundToItsUser() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try store.updateUser(id: "pinterest|1") { _ in sampleUser("pinterest|1", tokens: sampleTokens("-one")) }
            try store.updateUser(id: "pinterest|2") { _ in sampleUser("pinterest|2", tokens: sampleTokens("-two")) }
            let firstPath = store.layout.userRecord(StoreLayout.key(for: "pinterest|1"))
            let secondPath = store.layout.userRecord(StoreLayout.key(for: "pinterest|2"))

            let first = try JSONParser().parse(try #require(readBytes(firstPath)))
            var second = try JSONParser().parse(try #require(readBytes(secondPath)))
            second["tokens"]?["sealed_access_token"] = first["tokens"]?["sealed_access_token"]
            writeBytes(Array(second.serialized().utf8), to: secondPath)

            #expect(throws: StoreError.self) { try store.user(id: "pinterest|2") }
            #expect(try store.user(id: "pinterest|1")?.tokens == sampleTokens("-one"))
        }
    }

    @Test func tokenBoundToItsField() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try store.updateUser(id: "pinterest|1") { _ in sampleUser("pinterest|1") }
            let path = store.layout.userRecord(StoreLayout.key(for: "pinterest|1"))

            var record = try JSONParser().parse(try #require(readBytes(path)))
            let access = record["tokens"]?["sealed_access_token"]
            let refresh = record["tokens"]?["sealed_refresh_token"]
            record["tokens"]?["sealed_access_token"] = refresh
            record["tokens"]?["sealed_refresh_token"] = access
            writeBytes(Array(record.serialized().utf8), to: path)

            #expect(throws: StoreError.self) { try store.user(id: "pinterest|1") }
        }
    }

    @Test func wrongTokenKeyFails() throws {
        try withTemporaryDirectory { directory in
            try makeStore(directory).updateUser(id: "pinterest|1") { _ in sampleUser("pinterest|1") }
            let otherKeyStore = try FileStore(directory: directory + "/store", tokenKey: [UInt8](repeating: 0x43, count: 32))
            #expect(throws: StoreError.self) { try otherKeyStore.user(id: "pinterest|1") }
        }
    }

    @Test func corruptRecordReported() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let path = store.layout.userRecord(StoreLayout.key(for: "pinterest|1"))
            let garbage = Array("{\"format\":1,\"user_id\":".utf8)
            writeBytes(garbage, to: path)

            var reported: StoreError?
            do throws(StoreError) {
                _ = try store.user(id: "pinterest|1")
            } catch {
                reported = error
            }
            guard case .corruptRecord(let reportedPath, _) = reported else {
                Issue.record("expected corruptRecord, got \(String(describing: reported))")
                return
            }
            #expect(reportedPath == path)
            #expect(reported?.description.contains(path) == true)
        }
    }

    @Test func corruptRecordNotOverwritten() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let path = store.layout.userRecord(StoreLayout.key(for: "pinterest|1"))
            let garbage = Array("not json at all".utf8)
            writeBytes(garbage, to: path)

            var changeRan = false
            #expect(throws: StoreError.self) {
                try store.updateUser(id: "pinterest|1") { _ in
                    changeRan = true
                    return sampleUser("pinterest|1")
                }
            }
            #expect(changeRan == false)
            #expect(readBytes(path) == garbage)
        }
    }

    @Test func recordUnderWrongNameIsCorrupt() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let original = try #require(readBytes(store.layout.userRecord(StoreLayout.key(for: "pinterest|1"))))
            let otherKey = StoreLayout.key(for: "pinterest|2")
            try FileSystem.makeDirectories(store.layout.userShard(otherKey))
            writeBytes(original, to: store.layout.userRecord(otherKey))

            #expect(throws: StoreError.self) { try store.user(id: "pinterest|2") }
        }
    }

    @Test func abandonedTempFilesRemoved() throws {
        try withTemporaryDirectory { directory in
            let temporary = directory + "/store/tmp"
            _ = try makeStore(directory)
            writeBytes(Array("half a record".utf8), to: temporary + "/abandoned.tmp")
            writeBytes(Array("in use".utf8), to: temporary + "/in-use.tmp")
            // A writer in another process holds its temporary file locked until the rename.
            let writer = open(temporary + "/in-use.tmp", O_RDONLY)
            defer { close(writer) }
            #expect(flock(writer, LOCK_EX) == 0)

            _ = try makeStore(directory)
            #expect(FileSystem.fileExists(temporary + "/abandoned.tmp") == false)
            #expect(FileSystem.fileExists(temporary + "/in-use.tmp"))
        }
    }

    @Test func writesLeaveNoTempFiles() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            for _ in 0..<5 {
                try recordLogin(store, "pinterest|1")
            }
            #expect(try FileSystem.listDirectory(store.layout.temporary) == [])
        }
    }

    @Test func hostileIDsStayInside() throws {
        let hostile = [
            "../../etc/passwd", "/etc/passwd", "..", ".", "/", "a/../../b", "\0", "pinterest|1\0../../x",
            "\u{202E}txt.exe", String(repeating: "A", count: 10_240), String(repeating: "../", count: 3_000),
        ]
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            for id in hostile {
                #expect(try store.user(id: id) == nil)
                #expect(try store.session(id: id) == nil)
                #expect(try store.takeLoginState(id: id) == nil)
                #expect(try store.deleteUser(id: id) == false)

                try store.updateUser(id: id) { _ in sampleUser(id) }
                #expect(try store.user(id: id) == sampleUser(id))
                try store.saveSession(sampleSession(id, userID: id))
                #expect(try store.session(id: id)?.userID == id)
                try store.saveLoginState(sampleLoginState(id))
                #expect(try store.takeLoginState(id: id)?.id == id)
            }
            #expect(try store.user(id: "") == nil)

            #expect(try FileSystem.listDirectory(directory) == ["store"])
            let allowedTop = Set(["users", "sessions", "login-states", "expiry", "tmp"])
            for entry in walkTree(directory + "/store") {
                let components = entry.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                #expect(allowedTop.contains(components[0]), "\(entry.path)")
                for component in components.dropFirst() {
                    let name = component.split(separator: ".").first.map(String.init) ?? ""
                    let isShard = component.utf8.count == 2 && StoreLayout.isLowercaseHex(component)
                    let isBucket = Int64(component) != nil
                    let isRecord = StoreLayout.isKey(name)
                    let isMarker = StoreLayout.parseMarkerName(component) != nil
                    #expect(isShard || isBucket || isRecord || isMarker, "unexpected name \(entry.path)")
                }
            }
            #expect(try store.listUsers(after: nil, limit: 100).users.count == hostile.count)
        }
    }
}
