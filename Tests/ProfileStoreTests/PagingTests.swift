import Testing
@testable import ProfileStore

@Suite struct PagingTests {
    @Test func pagesCoverEveryUserOnce() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let ids = (0..<250).map { "pinterest|\($0)" }
            for id in ids {
                try store.updateUser(id: id) { _ in sampleUser(id, tokens: nil) }
            }

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try store.listUsers(after: cursor, limit: 100)
                seen += page.users.map(\.userID)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10

            #expect(pages == 3)
            #expect(seen.count == ids.count)
            #expect(Set(seen) == Set(ids))
        }
    }

    @Test func pageOrderIsStable() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            for index in 0..<40 {
                try store.updateUser(id: "pinterest|\(index)") { _ in sampleUser("pinterest|\(index)", tokens: nil) }
            }
            let first = try store.listUsers(after: nil, limit: 15)
            let again = try store.listUsers(after: nil, limit: 15)
            let next = try store.listUsers(after: first.nextCursor, limit: 15)
            let whole = try store.listUsers(after: nil, limit: 30)

            #expect(first.users == again.users)
            #expect(first.nextCursor == again.nextCursor)
            #expect(whole.users.map(\.userID) == (first.users + next.users).map(\.userID))
        }
    }

    @Test func deletionWhilePaging() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let ids = (0..<30).map { "pinterest|\($0)" }
            for id in ids {
                try store.updateUser(id: id) { _ in sampleUser(id, tokens: nil) }
            }
            let first = try store.listUsers(after: nil, limit: 10)
            let lastID = try #require(first.users.last?.userID)
            try store.deleteUser(id: lastID)
            let rest = try store.listUsers(after: first.nextCursor, limit: 100)

            #expect(rest.nextCursor == nil)
            #expect(rest.users.count == 20)
            #expect(Set(rest.users.map(\.userID)).isDisjoint(with: first.users.map(\.userID)))
        }
    }

    @Test func emptyStoreHasNoPages() throws {
        try withTemporaryDirectory { directory in
            let page = try makeStore(directory).listUsers(after: nil, limit: 10)
            #expect(page.users.isEmpty)
            #expect(page.nextCursor == nil)
        }
    }

    @Test func corruptRecordSkipped() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            for index in 0..<5 {
                try recordLogin(store, "pinterest|\(index)")
            }
            writeBytes(Array("{}".utf8), to: store.layout.userRecord(StoreLayout.key(for: "pinterest|3")))
            let page = try store.listUsers(after: nil, limit: 10)
            #expect(page.users.count == 4)
            #expect(!page.users.map(\.userID).contains("pinterest|3"))
        }
    }

    @Test func invalidCursorRejected() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            for cursor in ["", "../..", String(repeating: "g", count: 64), String(repeating: "A", count: 64)] {
                #expect(throws: StoreError.self) { try store.listUsers(after: cursor, limit: 10) }
            }
        }
    }

    @Test func invalidLimitRejected() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            for limit in [0, -1, 1001] {
                #expect(throws: StoreError.self) { try store.listUsers(after: nil, limit: limit) }
            }
        }
    }
}
