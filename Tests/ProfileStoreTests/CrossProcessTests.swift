import Glibc
import HTTPKit
import Testing
@testable import ProfileStore

/// Tests that run store operations in child processes. The test binary starts itself again with a
/// filter that selects `loginWorker`. That test works only when the environment variables below
/// are set, and is skipped otherwise.
@Suite struct CrossProcessTests {
    static let storeVariable = "PROFILE_STORE_TEST_WORKER_STORE"
    static let startVariable = "PROFILE_STORE_TEST_WORKER_START_FILE"
    static let loginsVariable = "PROFILE_STORE_TEST_WORKER_LOGINS"
    static let threadsVariable = "PROFILE_STORE_TEST_WORKER_THREADS"

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    @Test(.enabled(if: environment(storeVariable) != nil, "runs only as a child process of the tests below"))
    func loginWorker() throws {
        let directory = try #require(Self.environment(Self.storeVariable))
        let startFile = try #require(Self.environment(Self.startVariable))
        let logins = Int(Self.environment(Self.loginsVariable) ?? "") ?? 1
        let threads = Int(Self.environment(Self.threadsVariable) ?? "") ?? 1
        let store = try FileStore(directory: directory, tokenKey: tokenKey)

        // Waits up to 30 seconds for the parent to release all workers at once.
        for _ in 0..<30_000 where !FileSystem.fileExists(startFile) {
            usleep(1_000)
        }
        runConcurrently(threads) { _ in
            for _ in 0..<logins {
                do {
                    try recordLogin(store, "pinterest|1", pause: 2_000)
                } catch {
                    fatalError("login failed in worker process: \(error)")
                }
            }
        }
    }

    @Test func loginsFromProcessesCounted() throws {
        try withTemporaryDirectory { directory in
            let storeDirectory = directory + "/store"
            let startFile = directory + "/start"
            let workers = try (0..<5).map { index in
                try spawnWorker(
                    store: storeDirectory, startFile: startFile, logins: 1, threads: 2,
                    output: directory + "/worker-\(index).log"
                )
            }
            writeBytes([], to: startFile)

            for (index, worker) in workers.enumerated() {
                let status = waitForExit(worker)
                let output = String(decoding: readBytes(directory + "/worker-\(index).log") ?? [], as: UTF8.self)
                #expect(status == 0, "worker \(index) failed: \(output)")
            }
            let store = try FileStore(directory: storeDirectory, tokenKey: tokenKey)
            #expect(try store.user(id: "pinterest|1")?.profile["logins_count"] == .int(10))
            #expect(try store.listUsers(after: nil, limit: 10).users.count == 1)
        }
    }

    @Test func killedWriterLeavesWholeRecord() throws {
        for round in 0..<3 {
            try withTemporaryDirectory { directory in
                let storeDirectory = directory + "/store"
                let startFile = directory + "/start"
                writeBytes([], to: startFile)
                let worker = try spawnWorker(
                    store: storeDirectory, startFile: startFile, logins: 100_000, threads: 2, output: "/dev/null"
                )

                // Waits up to 30 seconds for the first login, then kills the worker at a different
                // point of its write loop in each round.
                let recordPath = StoreLayout(root: storeDirectory).userRecord(StoreLayout.key(for: "pinterest|1"))
                for _ in 0..<3_000 where !FileSystem.fileExists(recordPath) {
                    usleep(10_000)
                }
                usleep(UInt32(20_000 + round * 17_000))
                kill(worker, SIGKILL)
                #expect(waitForExit(worker) == 128 + SIGKILL)

                let store = try FileStore(directory: storeDirectory, tokenKey: tokenKey)
                let count = try store.user(id: "pinterest|1")?.profile["logins_count"]?.intValue
                #expect(count != nil)
                #expect(try FileSystem.listDirectory(store.layout.temporary) == [])
                #expect(try store.listUsers(after: nil, limit: 10).users.count <= 1)
            }
        }
    }

    /// Starts the test binary as a child process that runs `loginWorker`.
    private func spawnWorker(store: String, startFile: String, logins: Int, threads: Int, output: String) throws -> pid_t {
        var executable = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &executable, Int(PATH_MAX))
        try #require(length > 0)
        let executablePath = String(decoding: executable.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)

        let arguments = [executablePath, "--testing-library", "swift-testing", "--filter", "CrossProcessTests/loginWorker"]
        var environment: [String] = []
        var variable = environ
        while let entry = variable.pointee {
            environment.append(String(cString: entry))
            variable += 1
        }
        environment += [
            "\(Self.storeVariable)=\(store)",
            "\(Self.startVariable)=\(startFile)",
            "\(Self.loginsVariable)=\(logins)",
            "\(Self.threadsVariable)=\(threads)",
        ]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executablePath, &actions, nil, argv, envp)
        try #require(result == 0, "posix_spawn failed: \(String(cString: strerror(result)))")
        return pid
    }

    /// Waits for a child process and returns its exit status, or 128 plus the signal that ended it.
    private func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
