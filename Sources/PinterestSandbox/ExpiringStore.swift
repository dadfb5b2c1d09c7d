import Crypto
import Foundation
import HTTPKit

/// A map from secret strings (codes, tokens, consent ids) to values that expire, safe to use from
/// many threads at once and bounded in size.
///
/// Keys are stored as SHA-256 digests, so the map never contains a usable secret and a lookup's
/// timing reveals nothing about stored secrets.
final class ExpiringStore<Value: Sendable>: @unchecked Sendable {
    private struct Entry {
        var value: Value
        var expiresAt: Int64
    }

    /// A name for log lines, such as `authorization_codes`.
    let name: String
    /// The maximum number of entries. At capacity, expired entries are purged first, then the
    /// tenth that expires soonest, so a flood of requests cannot exhaust memory.
    let capacity: Int

    private let lock = NSLock()
    private var entries: [[UInt8]: Entry] = [:]

    init(name: String, capacity: Int) {
        precondition(capacity > 0, "an ExpiringStore needs room for at least one entry")
        self.name = name
        self.capacity = capacity
    }

    var count: Int {
        lock.withLock { entries.count }
    }

    /// Stores a value under a secret until `expiresAt` (Unix seconds).
    func insert(_ value: Value, for secret: String, expiresAt: Int64, now: Int64) {
        let key = sha256(Array(secret.utf8))
        let evicted: Int = lock.withLock {
            var evicted = 0
            if entries.count >= capacity && entries[key] == nil {
                evicted = makeRoom(now: now)
            }
            entries[key] = Entry(value: value, expiresAt: expiresAt)
            return evicted
        }
        if evicted > 0 {
            Log.warning("sandbox store full, evicted unexpired entries",
                        ["store": name, "capacity": String(capacity), "evicted": String(evicted)])
        }
    }

    /// Returns the value stored under a secret, unless it is missing or expired.
    func value(for secret: String, now: Int64) -> Value? {
        let key = sha256(Array(secret.utf8))
        return lock.withLock {
            guard let entry = entries[key], entry.expiresAt > now else { return nil }
            return entry.value
        }
    }

    /// Removes and returns the value stored under a secret, unless it is missing or expired. Of
    /// several threads taking the same secret at once, exactly one gets the value, which makes
    /// codes and refresh tokens single use.
    func take(_ secret: String, now: Int64) -> Value? {
        let key = sha256(Array(secret.utf8))
        return lock.withLock {
            guard let entry = entries.removeValue(forKey: key), entry.expiresAt > now else { return nil }
            return entry.value
        }
    }

    /// Removes every expired entry and returns how many it removed.
    @discardableResult
    func purgeExpired(now: Int64) -> Int {
        lock.withLock {
            let before = entries.count
            entries = entries.filter { $0.value.expiresAt > now }
            return before - entries.count
        }
    }

    /// Frees at least one slot. Returns how many unexpired entries it evicted. Must run under `lock`.
    private func makeRoom(now: Int64) -> Int {
        entries = entries.filter { $0.value.expiresAt > now }
        guard entries.count >= capacity else { return 0 }

        // Evicting a tenth at once keeps the cost of the sort to one in capacity / 10 inserts.
        let evictionCount = max(1, capacity / 10)
        let soonest = entries.sorted { $0.value.expiresAt < $1.value.expiresAt }.prefix(evictionCount)
        for (key, _) in soonest {
            entries.removeValue(forKey: key)
        }
        return soonest.count
    }
}
