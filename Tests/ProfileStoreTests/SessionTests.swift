import HTTPKit
import Testing
@testable import ProfileStore

@Suite struct SessionTests {
    @Test func sessionRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let session = sampleSession("session-a", userID: "pinterest|1")
            try store.saveSession(session)
            #expect(try store.session(id: "session-a") == session)
        }
    }

    @Test func missingSessionIsNil() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(try store.session(id: "session-a") == nil)
        }
    }

    @Test func expiredSessionIsNil() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("session-a", userID: "pinterest|1", expiresAt: Clock.unixTime() - 1))
            #expect(try store.session(id: "session-a") == nil)
        }
    }

    @Test func sessionFileOmitsID() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let id = "Zq3sessionIdThatMustNotBeOnDisk"
            try store.saveSession(sampleSession(id, userID: "pinterest|1"))

            for entry in walkTree(directory) where !entry.isDirectory {
                let text = String(decoding: readBytes(directory + "/" + entry.path) ?? [], as: UTF8.self)
                #expect(!text.contains(id), "\(entry.path) contains the session id")
                #expect(!entry.path.contains(id))
            }
        }
    }

    @Test func deleteSessionEndsIt() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("session-a", userID: "pinterest|1"))
            try store.deleteSession(id: "session-a")
            #expect(try store.session(id: "session-a") == nil)
            #expect(throws: Never.self) { try store.deleteSession(id: "session-a") }
        }
    }

    @Test func sessionNeedsExistingUser() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(throws: StoreError.userNotFound(userID: "pinterest|1")) {
                try store.saveSession(sampleSession("session-a", userID: "pinterest|1"))
            }
            #expect(try store.session(id: "session-a") == nil)
        }
    }

    @Test func deleteUserEndsSessions() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try recordLogin(store, "pinterest|2")
            let ids = ["session-a", "session-b", "session-c"]
            for id in ids {
                try store.saveSession(sampleSession(id, userID: "pinterest|1"))
            }
            try store.saveSession(sampleSession("session-other", userID: "pinterest|2"))

            #expect(try store.deleteUser(id: "pinterest|1"))
            for id in ids {
                #expect(try store.session(id: id) == nil, "\(id) outlived its user")
            }
            #expect(try store.session(id: "session-other") != nil)
        }
    }

    @Test func reloginRevivesNoSession() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("old-session", userID: "pinterest|1"))
            try store.deleteUser(id: "pinterest|1")

            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("new-session", userID: "pinterest|1"))
            #expect(try store.session(id: "old-session") == nil)
            #expect(try store.session(id: "new-session") != nil)
        }
    }

    @Test func indexDropsEndedSessions() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            try store.saveSession(sampleSession("ended", userID: "pinterest|1"))
            try store.saveSession(sampleSession("expired", userID: "pinterest|1", expiresAt: Clock.unixTime() - 1))
            try store.deleteSession(id: "ended")
            try store.saveSession(sampleSession("live", userID: "pinterest|1"))

            let index = try store.readSessionIndex(store.layout.sessionIndex(StoreLayout.key(for: "pinterest|1")))
            #expect(index.map(\.key) == [StoreLayout.key(for: "live")])
        }
    }

    @Test func loginStateTakenOnce() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let state = sampleLoginState("oauth-state-1")
            try store.saveLoginState(state)
            #expect(try store.takeLoginState(id: "oauth-state-1") == state)
            #expect(try store.takeLoginState(id: "oauth-state-1") == nil)
        }
    }

    @Test func loginStateWithoutClientState() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            var state = sampleLoginState("oauth-state-1")
            state.clientState = nil
            try store.saveLoginState(state)
            #expect(try store.takeLoginState(id: "oauth-state-1") == state)
        }
    }

    @Test func expiredLoginStateIsNil() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try store.saveLoginState(sampleLoginState("oauth-state-1", expiresAt: Clock.unixTime() - 1))
            #expect(try store.takeLoginState(id: "oauth-state-1") == nil)
            #expect(walkTree(directory + "/store/login-states").allSatisfy { $0.isDirectory })
        }
    }

    @Test func missingLoginStateIsNil() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            #expect(try store.takeLoginState(id: "never-saved") == nil)
        }
    }
}
