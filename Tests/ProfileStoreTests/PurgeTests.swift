import HTTPKit
import Testing
@testable import ProfileStore

@Suite struct PurgeTests {
    @Test func purgeRemovesExpired() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("expired-session", userID: "pinterest|1", expiresAt: 1_000_000))
            try store.saveSession(sampleSession("live-session", userID: "pinterest|1"))
            try store.saveLoginState(sampleLoginState("expired-state", expiresAt: 1_000_100))
            try store.saveLoginState(sampleLoginState("live-state"))

            #expect(try store.purgeExpired(now: 2_000_000) == 2)
            #expect(FileSystem.fileExists(store.layout.session(StoreLayout.key(for: "expired-session"))) == false)
            #expect(FileSystem.fileExists(store.layout.loginState(StoreLayout.key(for: "expired-state"))) == false)
            #expect(try store.session(id: "live-session") != nil)
            #expect(try store.takeLoginState(id: "live-state") != nil)
        }
    }

    @Test func purgeRemovesPastBuckets() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try store.saveLoginState(sampleLoginState("expired-state", expiresAt: 1_000_000))
            try store.saveLoginState(sampleLoginState("live-state"))

            try store.purgeExpired(now: 2_000_000)
            let buckets = try FileSystem.listDirectory(store.layout.expiry)
            #expect(buckets == [String(StoreLayout.expiryBucket(for: farFuture))])
            #expect(try store.purgeExpired(now: 2_000_000) == 0)
        }
    }

    @Test func purgeKeepsCurrentBucket() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try store.saveLoginState(sampleLoginState("state", expiresAt: 1_000_200))
            // The state expired, but its bucket [1_000_200, 1_000_800) still reaches past now.
            #expect(try store.purgeExpired(now: 1_000_300) == 0)
            #expect(try store.purgeExpired(now: 1_000_800) == 1)
        }
    }

    @Test func purgeSparesExtendedSession() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("session-a", userID: "pinterest|1", expiresAt: 1_000_000))
            let extended = sampleSession("session-a", userID: "pinterest|1")
            try store.saveSession(extended)

            #expect(try store.purgeExpired(now: 2_000_000) == 0)
            #expect(try store.session(id: "session-a") == extended)
        }
    }

    @Test func purgeSkipsDeletedItems() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("session-a", userID: "pinterest|1", expiresAt: 1_000_000))
            try store.deleteSession(id: "session-a")
            try store.saveLoginState(sampleLoginState("state", expiresAt: 1_000_000))
            _ = try store.takeLoginState(id: "state")

            #expect(try store.purgeExpired(now: 2_000_000) == 0)
            #expect(try FileSystem.listDirectory(store.layout.expiry) == [])
        }
    }

    @Test func purgeLeavesCorruptFile() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try store.saveLoginState(sampleLoginState("state", expiresAt: 1_000_000))
            let path = store.layout.loginState(StoreLayout.key(for: "state"))
            writeBytes(Array("{not json".utf8), to: path)

            #expect(try store.purgeExpired(now: 2_000_000) == 0)
            #expect(readBytes(path) == Array("{not json".utf8))
        }
    }

    @Test func purgeSurvivesExtremeTimes() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try store.saveLoginState(sampleLoginState("latest", expiresAt: Int64.max))
            try store.saveLoginState(sampleLoginState("earliest", expiresAt: Int64.min))
            try FileSystem.makeDirectory(store.layout.expiry + "/-600")

            #expect(try store.purgeExpired(now: Int64.max) == 1)
            #expect(try store.purgeExpired(now: Int64.min) == 0)
            #expect(try store.purgeExpired(now: 0) == 0)
        }
    }
}
