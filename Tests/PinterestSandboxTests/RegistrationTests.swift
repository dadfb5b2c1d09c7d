import Foundation
import Testing
@testable import PinterestSandbox

@Suite struct RegistrationTests {
    /// Returns a path in a new temporary directory.
    func temporaryPath() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-registration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("registration.json").path
    }

    func write(_ text: String) throws -> String {
        let path = try temporaryPath()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func loadError(_ text: String) throws -> SandboxRegistrationError? {
        let path = try write(text)
        do {
            _ = try SandboxRegistration.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func saveAndLoadRoundTrip() throws {
        let path = try temporaryPath()
        var registration = SandboxRegistration.makeDefault(redirectURIs: ["http://localhost:8080/callback"])
        registration.slowSeconds = 0.25
        registration.codeLifetimeSeconds = 42
        try registration.save(path: path)
        #expect(try SandboxRegistration.load(path: path) == registration)
    }

    @Test func saveWritesMode0600() throws {
        let path = try temporaryPath()
        try SandboxRegistration.makeDefault(redirectURIs: ["http://localhost/cb"]).save(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func saveReplacesExistingFile() throws {
        let path = try temporaryPath()
        try SandboxRegistration.makeDefault(redirectURIs: ["http://localhost/a"]).save(path: path)
        let second = SandboxRegistration.makeDefault(redirectURIs: ["http://localhost/b"])
        try second.save(path: path)
        #expect(try SandboxRegistration.load(path: path) == second)
    }

    @Test func savedFileHasTopLevelKeys() throws {
        let path = try temporaryPath()
        try SandboxRegistration.makeDefault(redirectURIs: ["http://localhost/cb"]).save(path: path)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect(object?["app_id"] as? String == SandboxRegistration.defaultAppID)
        #expect((object?["app_secret"] as? String)?.count == 40)
        #expect(object?["redirect_uris"] as? [String] == ["http://localhost/cb"])
    }

    @Test func defaultHasRandomHexSecret() {
        let first = SandboxRegistration.makeDefault(redirectURIs: ["http://localhost/cb"])
        let second = SandboxRegistration.makeDefault(redirectURIs: ["http://localhost/cb"])
        #expect(first.appID == SandboxRegistration.defaultAppID)
        #expect(first.appSecret.count == 40)
        #expect(first.appSecret.allSatisfy { $0.isHexDigit })
        #expect(first.appSecret != second.appSecret)
        #expect(first.slowSeconds == 15)
        #expect(first.codeLifetimeSeconds == 600)
    }

    @Test func optionalFieldsDefault() throws {
        let path = try write(#"{"app_id": "123", "app_secret": "0123456789abcdef", "app_name": "A", "redirect_uris": ["https://a.example/cb"]}"#)
        let registration = try SandboxRegistration.load(path: path)
        #expect(registration.slowSeconds == 15)
        #expect(registration.codeLifetimeSeconds == 600)
    }

    @Test func missingFileNamesPath() throws {
        let path = try temporaryPath()
        #expect(throws: SandboxRegistrationError.self) { try SandboxRegistration.load(path: path) }
        do {
            _ = try SandboxRegistration.load(path: path)
        } catch {
            #expect(error.description.contains(path))
            #expect(error.description.contains("cannot be opened"))
        }
    }

    @Test func invalidJSONNamesPath() throws {
        let error = try #require(try loadError("{not json"))
        #expect(error.field == nil)
        #expect(error.description.contains("is not valid JSON"))
    }

    @Test func numericAppIDRejected() throws {
        let error = try #require(try loadError(#"{"app_id": 123, "app_secret": "0123456789abcdef", "app_name": "A", "redirect_uris": ["https://a.example/cb"]}"#))
        #expect(error.field == "app_id")
        #expect(error.description.contains("field \"app_id\""))
    }

    @Test func shortSecretRejected() throws {
        let error = try #require(try loadError(#"{"app_id": "123", "app_secret": "short", "app_name": "A", "redirect_uris": ["https://a.example/cb"]}"#))
        #expect(error.field == "app_secret")
    }

    @Test func emptyRedirectURIsRejected() throws {
        let error = try #require(try loadError(#"{"app_id": "123", "app_secret": "0123456789abcdef", "app_name": "A", "redirect_uris": []}"#))
        #expect(error.field == "redirect_uris")
    }

    @Test func fragmentRedirectRejected() throws {
        let error = try #require(try loadError(#"{"app_id": "123", "app_secret": "0123456789abcdef", "app_name": "A", "redirect_uris": ["https://a.example/cb#x"]}"#))
        #expect(error.field == "redirect_uris")
        #expect(error.description.contains("https://a.example/cb#x"))
    }

    @Test func unknownKeyRejected() throws {
        let error = try #require(try loadError(#"{"app_id": "123", "app_secret": "0123456789abcdef", "app_name": "A", "redirect_uris": ["https://a.example/cb"], "slow_second": 1}"#))
        #expect(error.field == "slow_second")
    }

    @Test func negativeSlowSecondsRejected() throws {
        let error = try #require(try loadError(#"{"app_id": "123", "app_secret": "0123456789abcdef", "app_name": "A", "redirect_uris": ["https://a.example/cb"], "slow_seconds": -1}"#))
        #expect(error.field == "slow_seconds")
    }

    @Test func zeroCodeLifetimeRejected() throws {
        let error = try #require(try loadError(#"{"app_id": "123", "app_secret": "0123456789abcdef", "app_name": "A", "redirect_uris": ["https://a.example/cb"], "code_lifetime_seconds": 0}"#))
        #expect(error.field == "code_lifetime_seconds")
    }

    @Test func redirectURIChecks() {
        #expect(SandboxRegistration.isAcceptableRedirectURI("http://localhost:8080/cb"))
        #expect(SandboxRegistration.isAcceptableRedirectURI("https://a.example/cb?x=1"))
        #expect(!SandboxRegistration.isAcceptableRedirectURI("ftp://a.example/cb"))
        #expect(!SandboxRegistration.isAcceptableRedirectURI("http:///cb"))
        #expect(!SandboxRegistration.isAcceptableRedirectURI("http://user@a.example/cb"))
        #expect(!SandboxRegistration.isAcceptableRedirectURI("http://a.example/c b"))
        #expect(!SandboxRegistration.isAcceptableRedirectURI("/relative"))
    }
}
