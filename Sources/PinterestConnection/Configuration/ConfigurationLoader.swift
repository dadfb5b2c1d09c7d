#if canImport(Glibc)
import Glibc
#endif
import HTTPKit

/// One thing wrong with a configuration: the field, what is wrong and how to fix it.
public struct ConfigurationProblem: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String

    public var description: String { "\(field): \(message)" }
}

/// All problems found in a configuration file, reported together so an operator fixes them in one go.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problems: [ConfigurationProblem]

    public var description: String {
        "invalid configuration in \(path):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Reads a configuration file. Secrets may be given inline, as `{"env": "NAME"}` or as
/// `{"file": "/path"}`, so none has to sit in the file itself.
public struct ConfigurationLoader {
    private var problems: [ConfigurationProblem] = []
    private let path: String
    private let environment: [String: String]
    private var baseDirectory: String

    public static func load(path: String, environment: [String: String] = ProcessEnvironment.current()) throws(ConfigurationError) -> Configuration {
        var loader = ConfigurationLoader(path: path, environment: environment)
        let configuration = loader.read()
        if let configuration, loader.problems.isEmpty { return configuration }
        throw ConfigurationError(path: path, problems: loader.problems)
    }

    init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
        let slash = path.lastIndex(of: "/")
        baseDirectory = slash.map { String(path[..<$0]) } ?? "."
    }

    private mutating func problem(_ field: String, _ message: String) {
        problems.append(ConfigurationProblem(field: field, message: message))
    }

    private mutating func read() -> Configuration? {
        guard let bytes = readFile(path) else {
            problem("(file)", "cannot read \(path): \(String(cString: strerror(errno))); pass an existing file with --config")
            return nil
        }
        let root: [String: JSON]
        do {
            guard let object = try JSONParser().parse(bytes).objectValue else {
                problem("(file)", "the file must hold a JSON object")
                return nil
            }
            root = object
        } catch {
            problem("(file)", "\(error); fix the JSON syntax")
            return nil
        }
        rejectUnknownKeys(root, allowed: ["public_url", "pinterest", "sync_user_profile", "applications", "session", "store", "test_page"], prefix: "")

        let publicURL = readPublicURL(root["public_url"])
        let pinterest = readPinterest(root["pinterest"]?.objectValue ?? [:], publicURL: publicURL)
        let sync = readBool(root["sync_user_profile"], field: "sync_user_profile", default: true)
        let applications = readApplications(root["applications"], sandbox: pinterest?.sandbox ?? false)
        let session = readSession(root["session"]?.objectValue ?? [:])
        let store = readStore(root["store"]?.objectValue ?? [:])
        let testPage = readTestPage(root["test_page"]?.objectValue ?? [:], sandbox: pinterest?.sandbox ?? false)

        guard let publicURL, let pinterest, let session, let store else { return nil }
        return Configuration(publicURL: publicURL, pinterest: pinterest, syncUserProfile: sync,
                             applications: applications, session: session, store: store, testPage: testPage)
    }

    private mutating func readPublicURL(_ value: JSON?) -> String? {
        guard let url = value?.stringValue, !url.isEmpty else {
            problem("public_url", "missing; set the URL browsers use to reach this service, for example \"https://login.example.com\"")
            return nil
        }
        guard let parts = URLParts(url), !url.contains("?"), !url.contains("#") else {
            problem("public_url", "\"\(url)\" is not an absolute http or https URL without query or fragment; use one like \"https://login.example.com\"")
            return nil
        }
        if parts.scheme == "http" && !Self.isLoopback(parts.host) {
            problem("public_url", "\"\(url)\" uses plain http on a host other than loopback; use https so session cookies get the Secure attribute")
        }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// Checks that a host names this machine: `localhost`, `[::1]` or an IPv4 address in
    /// 127.0.0.0/8. A DNS name such as `127.example.com` never counts, whatever it resolves to.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            (1...3).contains(octet.utf8.count)
                && octet.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                && Int(octet)! <= 255
        }
    }

    private mutating func readPinterest(_ object: [String: JSON], publicURL: String?) -> PinterestSettings? {
        rejectUnknownKeys(object, allowed: ["client_id", "client_secret", "authorization_url", "api_url", "scopes",
                                            "sandbox_registration", "connect_timeout_ms", "timeout_ms", "max_response_bytes"],
                          prefix: "pinterest.")
        var clientID = object["client_id"]?.stringValue ?? ""
        var clientSecret: String?
        var authorizationURL = object["authorization_url"]?.stringValue ?? "https://www.pinterest.com/oauth/"
        var apiBaseURL = object["api_url"]?.stringValue ?? "https://api.pinterest.com"
        let sandbox = clientID.isEmpty

        if sandbox {
            // No Pinterest app configured: the embedded sandbox provider stands in, mounted by nginx
            // under /sandbox/ next to the connection.
            let registrationPath = resolve(object["sandbox_registration"]?.stringValue ?? "sandbox.json")
            guard let registration = readFile(registrationPath).flatMap({ try? JSONParser().parse($0) }),
                let appID = registration["app_id"]?.stringValue, let appSecret = registration["app_secret"]?.stringValue
            else {
                problem("pinterest.sandbox_registration", "no Pinterest client_id is set, so the sandbox is used, but \(registrationPath) is missing or has no app_id and app_secret; run `pinterest-connection sandbox-registration --output \(registrationPath) --redirect-uri URI` or set pinterest.client_id")
                return nil
            }
            clientID = appID
            clientSecret = appSecret
            if let publicURL {
                if object["authorization_url"] == nil { authorizationURL = publicURL + "/sandbox/oauth/" }
                if object["api_url"] == nil { apiBaseURL = publicURL + "/sandbox" }
            }
        } else {
            if !clientID.allSatisfy(\.isNumber) {
                problem("pinterest.client_id", "\"\(clientID)\" is not a Pinterest app ID; copy the numeric App ID from your app at developers.pinterest.com")
            }
            clientSecret = readSecret(object["client_secret"], field: "pinterest.client_secret",
                                      hint: "copy the App secret key from developers.pinterest.com into an environment variable and set {\"env\": \"PINTEREST_CLIENT_SECRET\"}")
        }

        for (field, url) in [("pinterest.authorization_url", authorizationURL), ("pinterest.api_url", apiBaseURL)] where URLParts(url) == nil {
            problem(field, "\"\(url)\" is not an absolute http or https URL")
        }

        var scopes = ["user_accounts:read"]
        if let listed = object["scopes"] {
            guard let array = listed.arrayValue else {
                problem("pinterest.scopes", "must be a list of scope names such as [\"user_accounts:read\", \"boards:read\"]")
                return nil
            }
            for element in array {
                guard let scope = element.stringValue, PinterestSettings.knownScopes.contains(scope) else {
                    problem("pinterest.scopes", "unknown scope \(element.serialized()); use names from Pinterest API v5: \(PinterestSettings.knownScopes.sorted().joined(separator: ", "))")
                    continue
                }
                if !scopes.contains(scope) { scopes.append(scope) }
            }
        }

        let connectTimeout = readInt(object["connect_timeout_ms"], field: "pinterest.connect_timeout_ms", default: 3000, range: 100...60000)
        let timeout = readInt(object["timeout_ms"], field: "pinterest.timeout_ms", default: 10000, range: 200...120000)
        let maximumResponseBytes = readInt(object["max_response_bytes"], field: "pinterest.max_response_bytes", default: 1 << 20, range: 1024...(64 << 20))
        guard let clientSecret else { return nil }
        return PinterestSettings(
            clientID: clientID, clientSecret: clientSecret, authorizationURL: authorizationURL,
            apiBaseURL: apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL,
            scopes: scopes, sandbox: sandbox, connectTimeoutMilliseconds: connectTimeout,
            timeoutMilliseconds: timeout, maximumResponseBytes: maximumResponseBytes,
            verifyTLS: true)
    }

    private mutating func readApplications(_ value: JSON?, sandbox: Bool) -> [Application] {
        guard let array = value?.arrayValue, !array.isEmpty else {
            problem("applications", "missing; list at least one application with client_id, client_secret and callbacks")
            return []
        }
        var applications: [Application] = []
        for (index, element) in array.enumerated() {
            let field = "applications[\(index)]"
            guard let object = element.objectValue else {
                problem(field, "must be an object")
                continue
            }
            rejectUnknownKeys(object, allowed: ["name", "client_id", "client_secret", "callbacks", "allowed_logout_urls",
                                                "pinterest_enabled", "expose_pinterest_tokens"], prefix: field + ".")
            guard let clientID = object["client_id"]?.stringValue, !clientID.isEmpty else {
                problem(field + ".client_id", "missing; give each application a unique client ID")
                continue
            }
            if applications.contains(where: { $0.clientID == clientID }) {
                problem(field + ".client_id", "\"\(clientID)\" is used by two applications; client IDs must be unique")
            }
            let secret = readSecret(object["client_secret"], field: field + ".client_secret",
                                    hint: "set a random secret of at least 16 characters, for example from `openssl rand -hex 32`",
                                    minimumLength: sandbox ? 8 : 16)
            let callbacks = readURLList(object["callbacks"], field: field + ".callbacks", required: true)
            let logoutURLs = readURLList(object["allowed_logout_urls"], field: field + ".allowed_logout_urls", required: false)
            applications.append(Application(
                name: object["name"]?.stringValue ?? clientID,
                clientID: clientID,
                clientSecret: secret ?? "",
                callbackURLs: callbacks,
                logoutURLs: logoutURLs,
                pinterestEnabled: readBool(object["pinterest_enabled"], field: field + ".pinterest_enabled", default: true),
                exposePinterestTokens: readBool(object["expose_pinterest_tokens"], field: field + ".expose_pinterest_tokens", default: false)))
        }
        return applications
    }

    private mutating func readURLList(_ value: JSON?, field: String, required: Bool) -> [String] {
        guard let value else {
            if required { problem(field, "missing; list the exact URLs the application may be sent back to") }
            return []
        }
        guard let array = value.arrayValue else {
            problem(field, "must be a list of absolute URLs")
            return []
        }
        var urls: [String] = []
        for element in array {
            guard let url = element.stringValue, URLParts(url) != nil, !url.contains("#"),
                !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
            else {
                problem(field, "\(element.serialized()) is not an absolute http or https URL without fragment or spaces")
                continue
            }
            urls.append(url)
        }
        if required && urls.isEmpty { problem(field, "is empty; list at least one URL") }
        return urls
    }

    private mutating func readSession(_ object: [String: JSON]) -> SessionSettings? {
        rejectUnknownKeys(object, allowed: ["lifetime_seconds", "login_lifetime_seconds", "keys", "cookie_path"], prefix: "session.")
        var cookiePath: String?
        if let value = object["cookie_path"] {
            let path = value.stringValue ?? ""
            if path.hasPrefix("/") && !path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F || $0 == ";" || $0 == "," }) {
                cookiePath = path
            } else {
                problem("session.cookie_path", "\(value.serialized()) is not a path; use \"/\" so the session cookie reaches every page of the host, which auth_request needs outside the mount prefix")
            }
        }
        let lifetime = readInt(object["lifetime_seconds"], field: "session.lifetime_seconds", default: 7 * 86400, range: 60...(365 * 86400))
        let loginLifetime = readInt(object["login_lifetime_seconds"], field: "session.login_lifetime_seconds", default: 600, range: 30...3600)
        guard let array = object["keys"]?.arrayValue, !array.isEmpty else {
            problem("session.keys", "missing; add [{\"id\": \"k1\", \"secret\": {\"env\": \"SESSION_KEY\"}}] with a secret from `openssl rand -hex 32`")
            return nil
        }
        var keys: [SigningKey] = []
        for (index, element) in array.enumerated() {
            let field = "session.keys[\(index)]"
            guard let id = element["id"]?.stringValue, !id.isEmpty, id.count <= 16,
                id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            else {
                problem(field + ".id", "missing or invalid; use a short letters-and-digits id such as \"k1\"")
                continue
            }
            if keys.contains(where: { $0.id == id }) { problem(field + ".id", "\"\(id)\" is used twice; key ids must be unique") }
            guard let secret = readSecret(element["secret"], field: field + ".secret",
                                          hint: "generate one with `openssl rand -hex 32`", minimumLength: 32)
            else { continue }
            keys.append(SigningKey(id: id, secret: Array(secret.utf8)))
        }
        guard !keys.isEmpty else { return nil }
        return SessionSettings(lifetimeSeconds: Int64(lifetime), keys: keys, loginLifetimeSeconds: Int64(loginLifetime),
                               cookiePath: cookiePath)
    }

    private mutating func readStore(_ object: [String: JSON]) -> StoreSettings? {
        rejectUnknownKeys(object, allowed: ["directory", "token_key"], prefix: "store.")
        guard let directory = object["directory"]?.stringValue, !directory.isEmpty else {
            problem("store.directory", "missing; set a directory only the service's user can read, for example \"/var/lib/pinterest-connection\"")
            return nil
        }
        guard let keyText = readSecret(object["token_key"], field: "store.token_key",
                                       hint: "generate 32 random bytes as hex with `openssl rand -hex 32`", minimumLength: 64)
        else { return nil }
        guard let key = Self.decodeHex(keyText), key.count == 32 else {
            problem("store.token_key", "must be 64 hex digits (32 bytes); generate it with `openssl rand -hex 32`")
            return nil
        }
        return StoreSettings(directory: resolve(directory), tokenKey: key)
    }

    private mutating func readTestPage(_ object: [String: JSON], sandbox: Bool) -> TestPageSettings {
        rejectUnknownKeys(object, allowed: ["enabled", "password"], prefix: "test_page.")
        let password = object["password"].flatMap {
            readSecret($0, field: "test_page.password", hint: "set a password of at least 12 characters", minimumLength: 12)
        }
        let enabled = readBool(object["enabled"], field: "test_page.enabled", default: sandbox)
        if enabled && !sandbox && password == nil {
            problem("test_page.password", "the test page is enabled with a real Pinterest app but has no password; set test_page.password or turn test_page.enabled off")
        }
        return TestPageSettings(enabled: enabled, password: password)
    }

    private mutating func readSecret(_ value: JSON?, field: String, hint: String, minimumLength: Int = 1) -> String? {
        var secret: String?
        switch value {
        case .string(let inline)?:
            secret = inline
        case .object(let reference)?:
            if let name = reference["env"]?.stringValue {
                secret = environment[name]
                if secret == nil || secret!.isEmpty {
                    problem(field, "environment variable \(name) is not set; \(hint)")
                    return nil
                }
            } else if let file = reference["file"]?.stringValue {
                guard let bytes = readFile(resolve(file)), let text = String(validating: bytes, as: UTF8.self) else {
                    problem(field, "cannot read secret file \(resolve(file)); \(hint)")
                    return nil
                }
                secret = text.trimmingCharacters()
            } else {
                problem(field, "must be a string, {\"env\": \"NAME\"} or {\"file\": \"/path\"}")
                return nil
            }
        default:
            problem(field, "missing; \(hint)")
            return nil
        }
        guard let secret, secret.count >= minimumLength else {
            problem(field, "too short (at least \(minimumLength) characters); \(hint)")
            return nil
        }
        return secret
    }

    private mutating func readBool(_ value: JSON?, field: String, default defaultValue: Bool) -> Bool {
        guard let value else { return defaultValue }
        guard let bool = value.boolValue else {
            problem(field, "must be true or false, not \(value.serialized())")
            return defaultValue
        }
        return bool
    }

    private mutating func readInt(_ value: JSON?, field: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        guard let value else { return defaultValue }
        guard let number = value.intValue, range.contains(Int(number)) else {
            problem(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(value.serialized())")
            return defaultValue
        }
        return Int(number)
    }

    private mutating func rejectUnknownKeys(_ object: [String: JSON], allowed: Set<String>, prefix: String) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            problem(prefix + key, "unknown setting; allowed here: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : baseDirectory + "/" + path
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Reads a whole file, or `nil` with `errno` set.
func readFile(_ path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = read(descriptor, &buffer, buffer.count)
        if count < 0 { return nil }
        if count == 0 { return bytes }
        bytes.append(contentsOf: buffer[0..<count])
    }
}

/// The process environment as a dictionary.
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}

extension String {
    func trimmingCharacters() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
