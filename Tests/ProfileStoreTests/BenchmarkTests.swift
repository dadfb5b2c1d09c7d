import Testing
@testable import ProfileStore

@Suite struct BenchmarkTests {
    @Test func generateThenRead() throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/bench"
            #expect(ProfileStoreBenchmark.run(arguments: ["--generate", "300", store]) == 0)
            #expect(ProfileStoreBenchmark.run(arguments: ["--read", store, "500"]) == 0)

            let reader = try FileStore(directory: store, tokenKey: ProfileStoreBenchmark.tokenKey)
            #expect(try reader.listUsers(after: nil, limit: 1000).users.count == 300)
        }
    }

    @Test func generateRejectsUsedDirectory() throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/bench"
            #expect(ProfileStoreBenchmark.run(arguments: ["--generate", "10", store]) == 0)
            #expect(ProfileStoreBenchmark.run(arguments: ["--generate", "10", store]) == 1)
        }
    }

    @Test func readNeedsGeneratedStore() throws {
        try withTemporaryDirectory { directory in
            #expect(ProfileStoreBenchmark.run(arguments: ["--read", directory + "/missing"]) == 1)
        }
    }

    @Test func usageErrors() {
        let invalid = [[], ["--generate"], ["--generate", "many", "/tmp/x"], ["--generate", "0", "/tmp/x"], ["--read"], ["--read", "/tmp/x", "-5"], ["--bogus"]]
        for arguments in invalid {
            #expect(ProfileStoreBenchmark.run(arguments: arguments) == 2, "\(arguments)")
        }
    }
}
