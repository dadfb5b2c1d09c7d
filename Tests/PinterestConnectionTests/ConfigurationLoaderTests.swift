import Foundation
import HTTPKit
import Testing
@testable import PinterestConnection

/// A configuration file in a fresh temporary directory, removed when the test ends.
final class ConfigurationFile {
    static let sessionKey = "3f9c2a71e0b84d56a9c1f07e2b5d8a4c6e1f3a9b7c0d2e4f6a8b1c3d5e7f9a0b"
    static let tokenKey = "8e1d4c7b0a3f6e9d2c5b8a1f4e7d0c3b6a9f2e5d8c1b4a7f0e3d6c9b2a5f8e1d"

    /// A valid configuration for a real Pinterest app, with every secret inline.
    static let valid: JSON = [
        "public_url": "https://login.example.com/",
        "pinterest": ["client_id": "1234567", "client_secret": "pinterest-app-secret"],
        "applications": [[
            "name": "Shop",
            "client_id": "shop",
            "client_secret": "0123456789abcdef",
            "callbacks": ["https://shop.example/callback", "http://localhost:3000/callback"],
            "allowed_logout_urls": ["https://shop.example/"],
        ]],
        "session": ["keys": [["id": "k1", "secret": .string(sessionKey)]]],
        "store": ["directory": "store", "token_key": .string(tokenKey)],
    ]

    let directory: String
    var path: String { directory + "/connection.json" }

    init() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("pc-configuration-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func write(_ text: String, to name: String = "connection.json") {
        FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8))
    }

    func load(_ configuration: JSON, environment: [String: String] = [:]) -> Result<Configuration, ConfigurationError> {
        write(configuration.serialized())
        return loadWritten(environment: environment)
    }

    func loadWritten(environment: [String: String] = [:]) -> Result<Configuration, ConfigurationError> {
        Result { () throws(ConfigurationError) in try ConfigurationLoader.load(path: path, environment: environment) }
    }
}

/// Returns the problems of a configuration after `change`, or none when it loads.
func problems(after change: (inout JSON) -> Void, environment: [String: String] = [:]) -> [ConfigurationProblem] {
    var configuration = ConfigurationFile.valid
    change(&configuration)
    switch ConfigurationFile().load(configuration, environment: environment) {
    case .success: return []
    case .failure(let error): return error.problems
    }
}

/// Wraps a change to the first application as a change to the whole configuration.
func firstApplication(_ change: @escaping @Sendable (inout JSON) -> Void) -> @Sendable (inout JSON) -> Void {
    { configuration in
        var applications = configuration["applications"]?.arrayValue ?? []
        change(&applications[0])
        configuration["applications"] = .array(applications)
    }
}

/// Wraps a change to the first session key as a change to the whole configuration.
func firstSessionKey(_ change: @escaping @Sendable (inout JSON) -> Void) -> @Sendable (inout JSON) -> Void {
    { configuration in
        var keys = configuration["session"]?["keys"]?.arrayValue ?? []
        change(&keys[0])
        configuration["session"]?["keys"] = .array(keys)
    }
}

/// Returns the first problem reported for `field`, if any.
func problem(_ field: String, after change: (inout JSON) -> Void, environment: [String: String] = [:]) -> ConfigurationProblem? {
    problems(after: change, environment: environment).first { $0.field == field }
}

@Suite struct ConfigurationLoaderTests {
    @Test func validFileLoads() throws {
        let file = ConfigurationFile()
        let configuration = try file.load(ConfigurationFile.valid).get()
        #expect(configuration.publicURL == "https://login.example.com")
        #expect(configuration.redirectURI == "https://login.example.com/login/callback")
        #expect(configuration.cookiePath == "/")
        #expect(configuration.usesHTTPS)
        #expect(configuration.syncUserProfile)
        #expect(configuration.pinterest.clientID == "1234567")
        #expect(configuration.pinterest.clientSecret == "pinterest-app-secret")
        #expect(!configuration.pinterest.sandbox)
        #expect(configuration.pinterest.authorizationURL == "https://www.pinterest.com/oauth/")
        #expect(configuration.pinterest.apiBaseURL == "https://api.pinterest.com")
        #expect(configuration.pinterest.scopes == ["user_accounts:read"])
        #expect(configuration.pinterest.timeoutMilliseconds == 10000)
        #expect(configuration.pinterest.connectTimeoutMilliseconds == 3000)
        #expect(configuration.applications.map(\.clientID) == ["shop"])
        #expect(configuration.applications[0].callbackURLs == ["https://shop.example/callback", "http://localhost:3000/callback"])
        #expect(configuration.applications[0].pinterestEnabled)
        #expect(!configuration.applications[0].exposePinterestTokens)
        #expect(configuration.session.keys.map(\.id) == ["k1"])
        #expect(configuration.session.keys[0].secret == Array(ConfigurationFile.sessionKey.utf8))
        #expect(configuration.session.lifetimeSeconds == 7 * 86400)
        #expect(configuration.session.loginLifetimeSeconds == 600)
        #expect(configuration.store.directory == file.directory + "/store")
        #expect(configuration.store.tokenKey.count == 32)
        #expect(!configuration.testPage.enabled)
    }

    @Test func publicURLUnderAPathSetsCookiePath() throws {
        var configuration = ConfigurationFile.valid
        configuration["public_url"] = "https://example.com/login-service"
        let loaded = try ConfigurationFile().load(configuration).get()
        #expect(loaded.cookiePath == "/login-service")
        #expect(loaded.redirectURI == "https://example.com/login-service/login/callback")
    }

    @Test func cookiePathSettingWidensMountPrefix() throws {
        var configuration = ConfigurationFile.valid
        configuration["public_url"] = "https://example.com/login-service"
        configuration["session"]?["cookie_path"] = "/"
        let loaded = try ConfigurationFile().load(configuration).get()
        #expect(loaded.cookiePath == "/")
    }

    @Test func cookiePathMustBeAPath() {
        let found = problems { $0["session"]?["cookie_path"] = "login; Domain=evil.example" }
        #expect(found.map(\.field) == ["session.cookie_path"])
    }

    @Test func secretsFromEnvironmentAndFile() throws {
        let file = ConfigurationFile()
        file.write(ConfigurationFile.sessionKey + "\n", to: "session-key")
        var configuration = ConfigurationFile.valid
        configuration["pinterest"]?["client_secret"] = ["env": "PINTEREST_SECRET"]
        configuration["session"] = ["keys": [["id": "k1", "secret": ["file": "session-key"]]]]
        let loaded = try file.load(configuration, environment: ["PINTEREST_SECRET": "from-environment"]).get()
        #expect(loaded.pinterest.clientSecret == "from-environment")
        #expect(loaded.session.keys[0].secret == Array(ConfigurationFile.sessionKey.utf8))
    }

    @Test func rotatedKeysKeepOrder() throws {
        var configuration = ConfigurationFile.valid
        configuration["session"] = ["keys": [
            ["id": "k2", "secret": .string(ConfigurationFile.tokenKey)],
            ["id": "k1", "secret": .string(ConfigurationFile.sessionKey)],
        ]]
        let loaded = try ConfigurationFile().load(configuration).get()
        #expect(loaded.session.keys.map(\.id) == ["k2", "k1"])
    }

    @Test func sandboxModeReadsRegistration() throws {
        let file = ConfigurationFile()
        file.write(#"{"app_id": "1509871", "app_secret": "sandbox-secret-0123456789"}"#, to: "sandbox.json")
        var configuration = ConfigurationFile.valid
        configuration["pinterest"] = ["sandbox_registration": "sandbox.json"]
        let loaded = try file.load(configuration).get()
        #expect(loaded.pinterest.sandbox)
        #expect(loaded.pinterest.clientID == "1509871")
        #expect(loaded.pinterest.authorizationURL == "https://login.example.com/sandbox/oauth/")
        #expect(loaded.pinterest.apiBaseURL == "https://login.example.com/sandbox")
        #expect(loaded.testPage.enabled)
    }

    @Test func missingFileNamed() {
        let file = ConfigurationFile()
        guard case .failure(let error) = file.loadWritten() else {
            Issue.record("a missing file loaded")
            return
        }
        #expect(error.problems.first?.field == "(file)")
        #expect(error.problems.first?.message.contains("pass an existing file with --config") == true)
    }

    @Test func invalidJSONNamed() {
        let file = ConfigurationFile()
        file.write(#"{"public_url": "https://login.example.com",}"#)
        guard case .failure(let error) = file.loadWritten() else {
            Issue.record("invalid JSON loaded")
            return
        }
        #expect(error.problems.first?.field == "(file)")
        #expect(error.problems.first?.message.contains("fix the JSON syntax") == true)
    }

    @Test func nonObjectNamed() {
        let file = ConfigurationFile()
        file.write("[]")
        guard case .failure(let error) = file.loadWritten() else {
            Issue.record("a JSON array loaded")
            return
        }
        #expect(error.problems.first?.message.contains("JSON object") == true)
    }

    @Test func descriptionListsEveryProblem() {
        let file = ConfigurationFile()
        var configuration = ConfigurationFile.valid
        configuration["public_url"] = nil
        configuration["store"] = nil
        guard case .failure(let error) = file.load(configuration) else {
            Issue.record("a configuration without public_url and store loaded")
            return
        }
        #expect(error.description.hasPrefix("invalid configuration in \(file.path):\n"))
        #expect(error.description.contains("  public_url: missing;"))
        #expect(error.description.contains("  store.directory: missing;"))
    }

    /// One broken field each: the field the problem names, and words of the fix it must give.
    static let brokenFields: [(field: String, fix: String, change: @Sendable (inout JSON) -> Void)] = [
        ("public_url", "set the URL browsers use", { $0["public_url"] = nil }),
        ("public_url", "use https", { $0["public_url"] = "http://login.example.com" }),
        ("public_url", "use https", { $0["public_url"] = "http://127.example.com" }),
        ("public_url", "use https", { $0["public_url"] = "http://127.0.0.1.example.com" }),
        ("public_url", "without query or fragment", { $0["public_url"] = "https://login.example.com/?a=1" }),
        ("public_url", "without query or fragment", { $0["public_url"] = "login.example.com" }),
        ("pinterest.client_id", "copy the numeric App ID", { $0["pinterest"]?["client_id"] = "my-app" }),
        ("pinterest.client_secret", "App secret key", { $0["pinterest"]?["client_secret"] = nil }),
        ("pinterest.client_secret", "environment variable MISSING is not set", { $0["pinterest"]?["client_secret"] = ["env": "MISSING"] }),
        ("pinterest.client_secret", "must be a string", { $0["pinterest"]?["client_secret"] = ["vault": "x"] }),
        ("pinterest.scopes", "use names from Pinterest API v5", { $0["pinterest"]?["scopes"] = ["read_public"] }),
        ("pinterest.scopes", "must be a list", { $0["pinterest"]?["scopes"] = "user_accounts:read" }),
        ("pinterest.timeout_ms", "from 200 to 120000", { $0["pinterest"]?["timeout_ms"] = 50 }),
        ("pinterest.connect_timeout_ms", "from 100 to 60000", { $0["pinterest"]?["connect_timeout_ms"] = "fast" }),
        ("pinterest.api_url", "absolute http or https URL", { $0["pinterest"]?["api_url"] = "api.pinterest.com" }),
        ("pinterest.sandbox_registration", "sandbox-registration --output", {
            $0["pinterest"] = ["sandbox_registration": "missing.json"]
        }),
        ("pinterest.secret", "unknown setting", { $0["pinterest"]?["secret"] = "x" }),
        ("applications", "list at least one application", { $0["applications"] = [] }),
        ("applications[0]", "must be an object", { $0["applications"] = ["shop"] }),
        ("applications[0].client_id", "unique client ID", firstApplication { $0["client_id"] = nil }),
        ("applications[0].client_secret", "at least 16 characters", firstApplication { $0["client_secret"] = "short" }),
        ("applications[0].callbacks", "list the exact URLs", firstApplication { $0["callbacks"] = nil }),
        ("applications[0].callbacks", "list at least one URL", firstApplication { $0["callbacks"] = [] }),
        ("applications[0].callbacks", "without fragment", firstApplication { $0["callbacks"] = ["https://shop.example/#top"] }),
        ("applications[0].callbacks", "without fragment or spaces", firstApplication { $0["callbacks"] = ["https://shop.example/a b"] }),
        ("applications[0].callbacks", "absolute http or https URL", firstApplication { $0["callbacks"] = ["/callback"] }),
        ("applications[0].callbacks", "absolute http or https URL", firstApplication { $0["callbacks"] = ["https://user@shop.example/"] }),
        ("applications[0].allowed_logout_urls", "must be a list", firstApplication { $0["allowed_logout_urls"] = "https://shop.example/" }),
        ("applications[0].pinterest_enabled", "must be true or false", firstApplication { $0["pinterest_enabled"] = "yes" }),
        ("applications[0].callback", "unknown setting", firstApplication { $0["callback"] = ["https://shop.example/"] }),
        ("applications[1].client_id", "must be unique", {
            $0["applications"] = .array(($0["applications"]?.arrayValue ?? []) + ($0["applications"]?.arrayValue ?? []))
        }),
        ("session.keys", "openssl rand -hex 32", { $0["session"] = [:] }),
        ("session.keys[0].id", "letters-and-digits id", firstSessionKey { $0["id"] = "k-1" }),
        ("session.keys[0].id", "letters-and-digits id", firstSessionKey { $0["id"] = "k1.old" }),
        ("session.keys[0].secret", "at least 32 characters", firstSessionKey { $0["secret"] = "short" }),
        ("session.keys[0].secret", "cannot read secret file", firstSessionKey { $0["secret"] = ["file": "no-such-key"] }),
        ("session.keys[1].id", "must be unique", {
            $0["session"]?["keys"] = [["id": "k1", "secret": .string(ConfigurationFile.sessionKey)],
                                      ["id": "k1", "secret": .string(ConfigurationFile.tokenKey)]]
        }),
        ("session.lifetime_seconds", "from 60 to 31536000", { $0["session"]?["lifetime_seconds"] = 10 }),
        ("session.login_lifetime_seconds", "from 30 to 3600", { $0["session"]?["login_lifetime_seconds"] = 5 }),
        ("session.login_lifetime_seconds", "whole number", { $0["session"]?["login_lifetime_seconds"] = .double(60.5) }),
        ("store.directory", "a directory only the service's user can read", { $0["store"]?["directory"] = nil }),
        ("store.token_key", "64 hex digits", { $0["store"]?["token_key"] = .string(String(repeating: "z", count: 64)) }),
        ("store.token_key", "64 hex digits", { $0["store"]?["token_key"] = .string(ConfigurationFile.tokenKey + "00") }),
        ("store.token_key", "at least 64 characters", { $0["store"]?["token_key"] = "abcd" }),
        ("sync_user_profile", "must be true or false", { $0["sync_user_profile"] = "on" }),
        ("test_page.password", "set test_page.password", { $0["test_page"] = ["enabled": true] }),
        ("test_page.password", "at least 12 characters", { $0["test_page"] = ["enabled": true, "password": "short"] }),
        ("sesion", "unknown setting", { $0["sesion"] = [:] }),
    ]

    @Test(arguments: 0..<brokenFields.count)
    func brokenFieldNamed(index: Int) {
        let broken = Self.brokenFields[index]
        let found = problem(broken.field, after: broken.change)
        #expect(found != nil, "no problem names \(broken.field); got \(problems(after: broken.change))")
        #expect(found?.message.contains(broken.fix) == true, "\(broken.field): \(found?.message ?? "none")")
    }

    @Test func loopbackHostsAllowPlainHTTP() {
        for url in ["http://localhost:8080", "http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:8080"] {
            #expect(problems(after: { $0["public_url"] = .string(url) }).isEmpty, "\(url)")
        }
    }

    @Test func severalProblemsReportedTogether() {
        let found = problems(after: {
            $0["public_url"] = "http://login.example.com"
            $0["session"]?["lifetime_seconds"] = 1
            $0["store"]?["token_key"] = "abcd"
        })
        #expect(found.map(\.field) == ["public_url", "session.lifetime_seconds", "store.token_key"])
    }
}
