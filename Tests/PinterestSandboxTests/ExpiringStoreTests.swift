import Foundation
import Testing
@testable import PinterestSandbox

@Suite struct ExpiringStoreTests {
    @Test func takeIsSingleUse() {
        let store = ExpiringStore<Int>(name: "test", capacity: 10)
        store.insert(7, for: "secret", expiresAt: 100, now: 0)
        #expect(store.take("secret", now: 1) == 7)
        #expect(store.take("secret", now: 1) == nil)
    }

    @Test func expiredValueHidden() {
        let store = ExpiringStore<Int>(name: "test", capacity: 10)
        store.insert(7, for: "secret", expiresAt: 100, now: 0)
        #expect(store.value(for: "secret", now: 99) == 7)
        #expect(store.value(for: "secret", now: 100) == nil)
    }

    @Test func fullStorePurgesExpiredFirst() {
        let store = ExpiringStore<Int>(name: "test", capacity: 4)
        store.insert(1, for: "old", expiresAt: 10, now: 0)
        for index in 0..<3 {
            store.insert(index, for: "live-\(index)", expiresAt: 1000, now: 0)
        }
        store.insert(9, for: "new", expiresAt: 1000, now: 20)
        #expect(store.count == 4)
        #expect(store.value(for: "live-0", now: 20) == 0)
        #expect(store.value(for: "new", now: 20) == 9)
    }

    @Test func fullStoreEvictsSoonestExpiring() {
        let store = ExpiringStore<Int>(name: "test", capacity: 10)
        for index in 0..<10 {
            store.insert(index, for: "key-\(index)", expiresAt: 100 + Int64(index), now: 0)
        }
        store.insert(99, for: "new", expiresAt: 500, now: 0)
        #expect(store.count == 10)
        #expect(store.value(for: "key-0", now: 0) == nil)
        #expect(store.value(for: "key-1", now: 0) == 1)
        #expect(store.value(for: "new", now: 0) == 99)
    }

    @Test func floodStaysBounded() {
        let store = ExpiringStore<Int>(name: "test", capacity: 100)
        for index in 0..<5000 {
            store.insert(index, for: "key-\(index)", expiresAt: 1000, now: 0)
        }
        #expect(store.count <= 100)
    }

    @Test func concurrentTakeSucceedsOnce() {
        let store = ExpiringStore<Int>(name: "test", capacity: 10)
        store.insert(1, for: "code", expiresAt: 100, now: 0)
        let successes = StatusCollector()
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            if store.take("code", now: 1) != nil { successes.append(1) }
        }
        #expect(successes.values.count == 1)
    }

    @Test func purgeRemovesOnlyExpired() {
        let store = ExpiringStore<Int>(name: "test", capacity: 10)
        store.insert(1, for: "old", expiresAt: 10, now: 0)
        store.insert(2, for: "live", expiresAt: 100, now: 0)
        #expect(store.purgeExpired(now: 50) == 1)
        #expect(store.count == 1)
    }
}

@Suite struct ScopeParsingTests {
    @Test func scopeListHasNineteenEntries() {
        #expect(PinterestScope.all.count == 19)
        #expect(Set(PinterestScope.all.map(\.name)).count == 19)
    }

    @Test func duplicatesCollapse() {
        #expect(PinterestScope.parse("pins:read,pins:read user_accounts:read") == .success(["pins:read", "user_accounts:read"]))
    }

    @Test func unknownScopeNamed() {
        #expect(PinterestScope.parse("pins:read,pins:everything") == .failure(.unknown("pins:everything")))
    }

    @Test func emptyScopeMissing() {
        #expect(PinterestScope.parse("") == .failure(.missing))
    }
}
