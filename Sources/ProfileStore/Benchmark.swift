#if canImport(Glibc)
import Glibc
#endif
import Crypto
import HTTPKit

/// A benchmark that checks a profile read costs the same in a store of a million users as in a
/// store of a thousand. `pinterest-connection store-bench` passes its arguments here:
///
///     store-bench --generate COUNT DIRECTORY   writes COUNT users into a new store
///     store-bench --read DIRECTORY [READS]     times READS (default 100000) random user reads
///
/// Generation writes the record files straight into the sharded layout, without temporary files,
/// fsync or locks, which is safe only for a new directory that nothing else uses. It seals the
/// tokens with a fixed key that exists only for benchmark data.
public enum ProfileStoreBenchmark {
    static let tokenKey = sha256(Array("pinterest-connection profile store benchmark key".utf8))
    static let manifestName = "benchmark.json"
    static let maximumUsers = 100_000_000

    /// Runs the benchmark mode that `arguments` (without the subcommand) select.
    /// - Returns: the process exit status: 0 on success, 1 when the benchmark failed, 2 for a usage error.
    public static func run(arguments: [String]) -> Int32 {
        switch arguments.first {
        case "--generate" where arguments.count == 3:
            guard let count = Int(arguments[1]), (1...maximumUsers).contains(count) else {
                return usageError("COUNT must be a whole number from 1 to \(maximumUsers), got \(arguments[1])")
            }
            return reportingFailure { () throws(StoreError) in try generate(count: count, directory: arguments[2]) }
        case "--read" where arguments.count == 2 || arguments.count == 3:
            let reads = arguments.count == 3 ? Int(arguments[2]) : 100_000
            guard let reads, (1...100_000_000).contains(reads) else {
                return usageError("READS must be a whole number from 1 to 100000000, got \(arguments[2])")
            }
            return reportingFailure { () throws(StoreError) in try read(directory: arguments[1], reads: reads) }
        default:
            return usageError("expected --generate COUNT DIRECTORY or --read DIRECTORY [READS]")
        }
    }

    private static func usageError(_ message: String) -> Int32 {
        printError("store-bench: \(message)\n"
            + "usage: store-bench --generate COUNT DIRECTORY   write COUNT users into a new store at DIRECTORY\n"
            + "       store-bench --read DIRECTORY [READS]     time READS (default 100000) random user reads")
        return 2
    }

    private static func reportingFailure(_ body: () throws(StoreError) -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch {
            printError("store-bench: \(error)")
            return 1
        }
    }

    private static func printError(_ message: String) {
        var line = Array((message + "\n").utf8)
        _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    static func userID(_ index: Int) -> String {
        "pinterest|\(1_000_000_000_000 + index)"
    }

    // MARK: Generation

    static func generate(count: Int, directory: String) throws(StoreError) {
        if let existing = try FileSystem.listDirectory(directory), !existing.isEmpty {
            throw .invalidArgument(name: "benchmark directory", reason: "\(directory) is not empty; pass a new or empty directory")
        }
        let store = try FileStore(directory: directory, tokenKey: tokenKey)
        let layout = store.layout
        let started = Clock.monotonicNanoseconds()
        let now = Clock.unixTime()
        var createdShards = Set<String>()

        for index in 0..<count {
            let record = sampleRecord(userID(index), now: now)
            let key = StoreLayout.key(for: record.userID)
            let shard = layout.userShard(key)
            if !createdShards.contains(shard) {
                // Plain mkdir without the fsync of `FileSystem.makeDirectory`, for generation only.
                mkdir(FileSystem.parent(of: shard), 0o700)
                mkdir(shard, 0o700)
                createdShards.insert(shard)
            }

            let path = layout.userRecord(key)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw FileSystem.writeError(path, errno) }
            defer { close(descriptor) }
            try FileSystem.writeAll(try RecordCoding.encodeUser(record, cipher: store.cipher), to: descriptor, path: path)

            if (index + 1) % 100_000 == 0 {
                print("generated \(index + 1) of \(count) users")
            }
        }

        let manifest: JSON = ["format": .int(RecordCoding.format), "users": .int(Int64(count))]
        try FileSystem.writeAtomically(
            Array(manifest.serialized().utf8), to: directory + "/" + manifestName,
            directory: directory, temporaryDirectory: layout.temporary
        )
        let seconds = Double(Clock.monotonicNanoseconds() - started) / 1e9
        print("generated \(count) users in \(directory) in \(formatted(seconds)) s (no fsync: benchmark data only)")
    }

    static func sampleRecord(_ userID: String, now: Int64) -> UserRecord {
        let number = String(userID.dropFirst("pinterest|".count))
        let created = Clock.iso8601(now - 86_400 * 30)
        let profile: JSON = [
            "user_id": .string(userID),
            "nickname": .string("pinner\(number)"),
            "name": .string("Benchmark Pinner \(number)"),
            "picture": .string("https://i.pinimg.com/600x600_R/\(number).jpg"),
            "identities": [[
                "provider": "pinterest", "user_id": .string(number), "connection": "pinterest", "isSocial": true,
            ]],
            "created_at": .string(created),
            "updated_at": .string(created),
            "last_login": .string(created),
            "logins_count": 3,
            "user_metadata": [:],
            "app_metadata": [:],
            "account_type": "PINNER",
            "board_count": 12,
            "pin_count": 340,
            "follower_count": 56,
            "following_count": 78,
            "website_url": "https://example.com/",
        ]
        let tokens = PinterestTokens(
            accessToken: "pina_" + SecureRandom.token(byteCount: 48),
            accessTokenExpiresAt: now + 30 * 86_400,
            refreshToken: "pinr_" + SecureRandom.token(byteCount: 48),
            refreshTokenExpiresAt: now + 365 * 86_400,
            scope: "user_accounts:read boards:read pins:read"
        )
        return UserRecord(userID: userID, profile: profile, tokens: tokens)
    }

    // MARK: Reading

    static func read(directory: String, reads: Int) throws(StoreError) {
        let manifestPath = directory + "/" + manifestName
        guard let manifestBytes = try FileSystem.readFile(at: manifestPath, maximumBytes: 4096),
            let manifest = try? JSONParser().parse(manifestBytes),
            let users = manifest["users"]?.intValue, users > 0
        else {
            throw .invalidArgument(name: "benchmark directory", reason: "\(manifestPath) is missing or invalid; run --generate first")
        }
        let store = try FileStore(directory: directory, tokenKey: tokenKey)

        var generator = SystemRandomNumberGenerator()
        var latencies: [UInt64] = []
        latencies.reserveCapacity(reads)
        let started = Clock.monotonicNanoseconds()
        for _ in 0..<reads {
            let id = userID(Int.random(in: 0..<Int(users), using: &generator))
            let before = Clock.monotonicNanoseconds()
            guard try store.user(id: id) != nil else {
                throw .invalidArgument(name: "benchmark directory", reason: "user \(id) is missing from \(directory)")
            }
            latencies.append(Clock.monotonicNanoseconds() - before)
        }
        let seconds = Double(Clock.monotonicNanoseconds() - started) / 1e9

        latencies.sort()
        let p50 = Double(latencies[latencies.count / 2]) / 1_000
        let p99 = Double(latencies[min(latencies.count - 1, latencies.count * 99 / 100)]) / 1_000
        print("read \(reads) random users of \(users) in \(directory) on one thread")
        print("reads_per_second=\(Int(Double(reads) / seconds)) p50_us=\(formatted(p50)) p99_us=\(formatted(p99))")
    }

    private static func formatted(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
