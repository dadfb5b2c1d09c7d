#if canImport(Glibc)
import Glibc
#endif
import HTTPKit
import Testing
@testable import ProfileStore

@Suite struct ProfileReadTests {
    @Test func profileMatchesUserRecord() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")

            let profile = try store.profile(userID: "pinterest|1")
            #expect(profile != nil)
            #expect(profile == (try store.user(id: "pinterest|1"))?.profile)
        }
    }

    @Test func profileOfMissingUserIsNil() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(try store.profile(userID: "pinterest|1") == nil)
        }
    }

    @Test func profileOfMovedRecordIsCorrupt() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let source = store.layout.userRecord(StoreLayout.key(for: "pinterest|1"))
            let targetKey = StoreLayout.key(for: "pinterest|2")
            try FileSystem.makeDirectories(store.layout.userShard(targetKey))
            #expect(rename(source, store.layout.userRecord(targetKey)) == 0)

            #expect(throws: StoreError.self) { try store.profile(userID: "pinterest|2") }
        }
    }

    @Test func profileSkipsTokenKey() throws {
        try withTemporaryDirectory { directory in
            try recordLogin(try makeStore(directory), "pinterest|1")
            // A store opened with another token key cannot open the tokens, but still reads profiles.
            let reopened = try FileStore(directory: directory + "/store", tokenKey: [UInt8](repeating: 7, count: 32))

            #expect(try reopened.profile(userID: "pinterest|1") != nil)
            #expect(throws: StoreError.self) { try reopened.user(id: "pinterest|1") }
        }
    }
}
