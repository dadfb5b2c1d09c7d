import HTTPKit
import Testing
@testable import ProfileStore

@Suite struct UserRecordTests {
    @Test func userRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let user = sampleUser("pinterest|2783136121146311751")
            let written = try store.updateUser(id: user.userID) { _ in user }
            #expect(written == user)
            #expect(try store.user(id: user.userID) == user)
        }
    }

    @Test func userWithoutTokens() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let user = sampleUser("pinterest|1", tokens: nil)
            try store.updateUser(id: user.userID) { _ in user }
            #expect(try store.user(id: user.userID) == user)
        }
    }

    @Test func userWithoutRefreshToken() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            var tokens = sampleTokens()
            tokens.refreshToken = nil
            tokens.refreshTokenExpiresAt = nil
            let user = sampleUser("pinterest|1", tokens: tokens)
            try store.updateUser(id: user.userID) { _ in user }
            #expect(try store.user(id: user.userID) == user)
        }
    }

    @Test func missingUserIsNil() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(try store.user(id: "pinterest|404") == nil)
        }
    }

    @Test func updateReceivesCurrentRecord() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try recordLogin(store, "pinterest|1")
            let user = try store.user(id: "pinterest|1")
            #expect(user?.profile["logins_count"] == .int(2))
        }
    }

    @Test func nilChangeLeavesRecord() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let user = sampleUser("pinterest|1")
            try store.updateUser(id: user.userID) { _ in user }
            let path = store.layout.userRecord(StoreLayout.key(for: user.userID))
            let before = readBytes(path)

            let returned = try store.updateUser(id: user.userID) { _ in nil }
            #expect(returned == user)
            #expect(readBytes(path) == before)
            #expect(try store.updateUser(id: "pinterest|2") { _ in nil } == nil)
            #expect(try store.user(id: "pinterest|2") == nil)
        }
    }

    @Test func throwingChangeWritesNothing() throws {
        struct Rejected: Error {}
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(throws: Rejected.self) {
                try store.updateUser(id: "pinterest|1") { _ in throw Rejected() }
            }
            #expect(try store.user(id: "pinterest|1") == nil)
        }
    }

    @Test func otherUsersRecordRejected() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(throws: StoreError.self) {
                try store.updateUser(id: "pinterest|1") { _ in sampleUser("pinterest|2") }
            }
            #expect(try store.user(id: "pinterest|1") == nil)
            #expect(try store.user(id: "pinterest|2") == nil)
        }
    }

    @Test func nonObjectProfileRejected() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(throws: StoreError.self) {
                try store.updateUser(id: "pinterest|1") { _ in UserRecord(userID: "pinterest|1", profile: "text", tokens: nil) }
            }
        }
    }

    @Test func unreadableProfileRejected() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            var deep: JSON = [:]
            for _ in 0..<70 { deep = ["nested": deep] }
            let tooDeep = UserRecord(userID: "pinterest|1", profile: deep, tokens: nil)
            let tooLarge = UserRecord(
                userID: "pinterest|1", profile: ["bio": .string(String(repeating: "x", count: 1 << 20))], tokens: nil
            )

            #expect(throws: StoreError.self) { try store.updateUser(id: "pinterest|1") { _ in tooDeep } }
            #expect(throws: StoreError.self) { try store.updateUser(id: "pinterest|1") { _ in tooLarge } }
            #expect(try store.user(id: "pinterest|1") == nil)
        }
    }

    @Test func emptyUserIDRejected() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(throws: StoreError.invalidArgument(name: "user id", reason: "the user id is empty")) {
                try store.updateUser(id: "") { _ in sampleUser("") }
            }
        }
    }

    @Test func shortTokenKeyRejected() throws {
        try withTemporaryDirectory { directory in
            #expect(throws: StoreError.invalidTokenKey(length: 16)) {
                try FileStore(directory: directory + "/store", tokenKey: [UInt8](repeating: 1, count: 16))
            }
        }
    }

    @Test func dataSurvivesReopen() throws {
        try withTemporaryDirectory { directory in
            let user = sampleUser("pinterest|1")
            try makeStore(directory).updateUser(id: user.userID) { _ in user }
            #expect(try makeStore(directory).user(id: user.userID) == user)
        }
    }

    @Test func deleteUserRemovesRecord() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            #expect(try store.deleteUser(id: "pinterest|1"))
            #expect(try store.user(id: "pinterest|1") == nil)
            #expect(try store.deleteUser(id: "pinterest|1") == false)
        }
    }

    @Test func healthCheckPasses() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(throws: Never.self) { try store.checkWritable() }
            #expect(walkTree(directory + "/store/tmp").isEmpty)
        }
    }

    @Test func healthCheckFailsWithoutDirectory() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            removeTree(directory + "/store")
            #expect(throws: StoreError.self) { try store.checkWritable() }
        }
    }
}
