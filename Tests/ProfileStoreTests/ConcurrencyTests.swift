import Glibc
import HTTPKit
import Synchronization
import Testing
@testable import ProfileStore

@Suite struct ConcurrencyTests {
    @Test func concurrentFirstLoginsCounted() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let failures = Atomic<Int>(0)
            runConcurrently(10) { _ in
                do {
                    try recordLogin(store, "pinterest|1", pause: 2_000)
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }

            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(try store.user(id: "pinterest|1")?.profile["logins_count"] == .int(10))
            #expect(try store.listUsers(after: nil, limit: 10).users.count == 1)
        }
    }

    @Test func loginStateTakenOnceByThreads() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            let ids = (0..<100).map { "contested-state-\($0)" }
            for id in ids {
                try store.saveLoginState(sampleLoginState(id))
            }
            let returnedIDs = Mutex<[String]>([])
            let failures = Atomic<Int>(0)

            // All 20 threads race for each state in the same order, so most states are contested.
            runConcurrently(20) { _ in
                for id in ids {
                    do {
                        if let state = try store.takeLoginState(id: id) {
                            returnedIDs.withLock { $0.append(state.id) }
                        }
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }

            let returned = returnedIDs.withLock { $0 }
            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(returned.count == ids.count)
            #expect(Set(returned) == Set(ids))
        }
    }

    @Test func concurrentSessionsAllIndexed() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let failures = Atomic<Int>(0)
            runConcurrently(10) { index in
                do {
                    try store.saveSession(sampleSession("session-\(index)", userID: "pinterest|1"))
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
            try store.deleteUser(id: "pinterest|1")

            #expect(failures.load(ordering: .relaxed) == 0)
            for index in 0..<10 {
                #expect(try store.session(id: "session-\(index)") == nil, "session-\(index) outlived its user")
            }
        }
    }

    @Test func readersNeverSeeTornRecords() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory)
            try recordLogin(store, "pinterest|1")
            let failures = Atomic<Int>(0)
            let missing = Atomic<Int>(0)

            runConcurrently(6) { index in
                for _ in 0..<50 {
                    do {
                        if index < 2 {
                            try recordLogin(store, "pinterest|1")
                        } else if try store.user(id: "pinterest|1") == nil {
                            missing.add(1, ordering: .relaxed)
                        }
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }

            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(missing.load(ordering: .relaxed) == 0)
            #expect(try store.user(id: "pinterest|1")?.profile["logins_count"] == .int(101))
        }
    }
}
