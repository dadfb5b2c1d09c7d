import HTTPKit
import Testing
@testable import ProfileStore

@Suite struct SessionLimitTests {
    @Test func limitEndsEarliestExpiry() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let limit = FileStore.maximumSessionsPerUser
            // Expiries rise with the index, so session-0 is the first to go.
            for index in 0...limit {
                try store.saveSession(sampleSession("session-\(index)", userID: "pinterest|1", expiresAt: farFuture + Int64(index)))
            }

            #expect(try store.session(id: "session-0") == nil)
            #expect(FileSystem.fileExists(store.layout.session(StoreLayout.key(for: "session-0"))) == false)
            #expect(try store.session(id: "session-1") != nil)
            #expect(try store.session(id: "session-\(limit)") != nil)
            let index = try store.readSessionIndex(store.layout.sessionIndex(StoreLayout.key(for: "pinterest|1")))
            #expect(index.count == limit)
        }
    }

    @Test func limitLeavesOtherUsersAlone() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try recordLogin(store, "pinterest|2")
            try store.saveSession(sampleSession("other-user", userID: "pinterest|2"))
            for index in 0...FileStore.maximumSessionsPerUser {
                try store.saveSession(sampleSession("session-\(index)", userID: "pinterest|1"))
            }

            #expect(try store.session(id: "other-user") != nil)
        }
    }

    @Test func deleteUserEndsKeptSessions() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            for index in 0...FileStore.maximumSessionsPerUser {
                try store.saveSession(sampleSession("session-\(index)", userID: "pinterest|1", expiresAt: farFuture + Int64(index)))
            }
            try store.deleteUser(id: "pinterest|1")

            for index in 0...FileStore.maximumSessionsPerUser {
                #expect(try store.session(id: "session-\(index)") == nil, "session-\(index) outlived its user")
            }
        }
    }
}
