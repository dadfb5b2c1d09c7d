#if canImport(Glibc)
import Glibc
#endif
import Crypto
import HTTPKit

/// The app registered with the sandbox provider, as a JSON file the connection reads too.
///
/// The connection reads only `app_id`, `app_secret` and `redirect_uris`, so those keys stay at the
/// top level. The test accounts are built in and are not part of the file.
public struct SandboxRegistration: Sendable, Equatable {
    /// The app id (`client_id`): ASCII digits, like a Pinterest app id. JSON key `app_id`.
    public var appID: String
    /// The app secret for HTTP Basic authentication at the token endpoint. JSON key `app_secret`.
    public var appSecret: String
    /// The name the consent page shows. JSON key `app_name`.
    public var appName: String
    /// Redirect URIs an authorization request may use, compared byte for byte. JSON key `redirect_uris`.
    public var redirectURIs: [String]
    /// Seconds the slow faults sleep before they respond. JSON key `slow_seconds`, default 15.
    public var slowSeconds: Double
    /// Seconds an authorization code stays valid. JSON key `code_lifetime_seconds`, default 600.
    public var codeLifetimeSeconds: Int

    public static let defaultSlowSeconds = 15.0
    public static let defaultCodeLifetimeSeconds = 600
    /// The app id of `makeDefault`, fixed so a connection's configuration keeps matching it.
    public static let defaultAppID = "1509871"

    /// Larger files are rejected, because a registration is a few hundred bytes.
    static let maximumFileBytes = 64 * 1024

    public init(appID: String, appSecret: String, appName: String, redirectURIs: [String],
                slowSeconds: Double = SandboxRegistration.defaultSlowSeconds,
                codeLifetimeSeconds: Int = SandboxRegistration.defaultCodeLifetimeSeconds) {
        self.appID = appID
        self.appSecret = appSecret
        self.appName = appName
        self.redirectURIs = redirectURIs
        self.slowSeconds = slowSeconds
        self.codeLifetimeSeconds = codeLifetimeSeconds
    }

    /// Creates a registration with the fixed app id and a fresh random secret of 40 hex digits.
    public static func makeDefault(redirectURIs: [String]) -> SandboxRegistration {
        let hexDigits = Array("0123456789abcdef")
        let secret = String(SecureRandom.bytes(20).flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 0x0F)]] })
        return SandboxRegistration(appID: defaultAppID, appSecret: secret,
                                   appName: "Pinterest Connection (sandbox)", redirectURIs: redirectURIs)
    }

    /// Reads and validates a registration file.
    ///
    /// - Throws: `SandboxRegistrationError`, whose message names the path, the field and the fix.
    public static func load(path: String) throws(SandboxRegistrationError) -> SandboxRegistration {
        let bytes = try readFile(path)
        let document: JSON
        do {
            document = try JSONParser(maximumBytes: maximumFileBytes).parse(bytes)
        } catch {
            throw SandboxRegistrationError(path: path, field: nil,
                                           problem: "is not valid JSON (\(error.description))",
                                           fix: "Fix the syntax, or delete the file so a new one is written.")
        }
        guard let members = document.objectValue else {
            throw SandboxRegistrationError(path: path, field: nil, problem: "is not a JSON object",
                                           fix: "Write one object with the keys \(knownKeys.joined(separator: ", ")).")
        }
        let registration = try parse(members, path: path)
        warnIfReadableByOthers(path)
        return registration
    }

    /// Writes the registration as a JSON file with mode 0600, replacing any file at `path` by rename
    /// so no reader sees a partial file.
    public func save(path: String) throws(SandboxRegistrationError) {
        let temporaryPath = path + ".tmp-" + SecureRandom.token(byteCount: 6)
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw writeError(path, "cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }

        let bytes = Array(fileText().utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                unlink(temporaryPath)
                throw writeError(path, "cannot write \(temporaryPath): \(reason)")
            }
            written += result
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw writeError(path, "cannot flush \(temporaryPath): \(reason)")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw writeError(path, "cannot rename \(temporaryPath) to it: \(reason)")
        }
    }

    /// Renders the file's text with one key a line in a fixed order, so a person can read and edit it.
    func fileText() -> String {
        let fields: [(String, JSON)] = [
            ("app_id", .string(appID)),
            ("app_secret", .string(appSecret)),
            ("app_name", .string(appName)),
            ("redirect_uris", .array(redirectURIs.map { .string($0) })),
            ("slow_seconds", .double(slowSeconds)),
            ("code_lifetime_seconds", .int(Int64(codeLifetimeSeconds))),
        ]
        let lines = fields.map { "  \(JSON.string($0.0).serialized()): \($0.1.serialized())" }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    static let knownKeys = ["app_id", "app_secret", "app_name", "redirect_uris", "slow_seconds", "code_lifetime_seconds"]

    private static func parse(_ members: [String: JSON], path: String) throws(SandboxRegistrationError) -> SandboxRegistration {
        if let unknown = members.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw SandboxRegistrationError(path: path, field: unknown, problem: "is not a known key",
                                           fix: "Remove it; the known keys are \(knownKeys.joined(separator: ", ")).")
        }

        guard let appID = members["app_id"]?.stringValue, !appID.isEmpty, appID.count <= 20,
            appID.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            throw SandboxRegistrationError(path: path, field: "app_id", problem: "is missing or not a string of 1 to 20 digits",
                                           fix: "Set it to a quoted digit string such as \"\(defaultAppID)\".")
        }

        guard let appSecret = members["app_secret"]?.stringValue, appSecret.utf8.count >= 16,
            appSecret.utf8.allSatisfy(FormFields.isUnreserved)
        else {
            throw SandboxRegistrationError(path: path, field: "app_secret",
                                           problem: "is missing, shorter than 16 characters or contains a character other than A-Z, a-z, 0-9, '-', '.', '_' and '~'",
                                           fix: "Set it to a random string such as 40 hex digits, or delete the file so a new one is written.")
        }

        guard let appName = members["app_name"]?.stringValue, !appName.isEmpty, appName.count <= 100 else {
            throw SandboxRegistrationError(path: path, field: "app_name", problem: "is missing, empty or longer than 100 characters",
                                           fix: "Set it to the name the consent page should show.")
        }

        guard let uriValues = members["redirect_uris"]?.arrayValue, !uriValues.isEmpty else {
            throw SandboxRegistrationError(path: path, field: "redirect_uris", problem: "is missing or an empty array",
                                           fix: "List the connection's callback URL, for example [\"http://localhost:8080/callback\"].")
        }
        var redirectURIs: [String] = []
        for value in uriValues {
            guard let uri = value.stringValue, isAcceptableRedirectURI(uri) else {
                throw SandboxRegistrationError(path: path, field: "redirect_uris",
                                               problem: "contains \(value.serialized()), which is not an absolute http or https URL without a fragment",
                                               fix: "Use a URL such as \"http://localhost:8080/callback\", with no spaces and no '#'.")
            }
            redirectURIs.append(uri)
        }

        var slowSeconds = defaultSlowSeconds
        if let value = members["slow_seconds"] {
            let seconds: Double? = switch value {
            case .double(let number): number
            case .int(let number): Double(number)
            default: nil
            }
            guard let seconds, seconds >= 0, seconds <= 3600 else {
                throw SandboxRegistrationError(path: path, field: "slow_seconds", problem: "is not a number from 0 to 3600",
                                               fix: "Set it to the seconds the slow faults should sleep, for example 15, or remove it.")
            }
            slowSeconds = seconds
        }

        var codeLifetimeSeconds = defaultCodeLifetimeSeconds
        if let value = members["code_lifetime_seconds"] {
            guard let seconds = value.intValue, seconds >= 1, seconds <= 86_400 else {
                throw SandboxRegistrationError(path: path, field: "code_lifetime_seconds", problem: "is not a whole number from 1 to 86400",
                                               fix: "Set it to the seconds an authorization code stays valid, for example 600, or remove it.")
            }
            codeLifetimeSeconds = Int(seconds)
        }

        return SandboxRegistration(appID: appID, appSecret: appSecret, appName: appName, redirectURIs: redirectURIs,
                                   slowSeconds: slowSeconds, codeLifetimeSeconds: codeLifetimeSeconds)
    }

    /// Accepts `http://` or `https://` with a non-empty host, no fragment and no whitespace or
    /// control characters. Pinterest rejects more (plain http outside localhost), which the sandbox
    /// allows so tests can use any loopback name.
    static func isAcceptableRedirectURI(_ uri: String) -> Bool {
        guard uri.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }), !uri.contains("#") else { return false }
        for scheme in ["http://", "https://"] where uri.hasPrefix(scheme) {
            let authority = uri.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" }
            return !authority.isEmpty && !authority.hasPrefix(":") && !authority.contains("@")
        }
        return false
    }

    private static func readFile(_ path: String) throws(SandboxRegistrationError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw SandboxRegistrationError(path: path, field: nil, problem: "cannot be opened (\(reason))",
                                           fix: "Check the path and its permissions, or let the service create the file.")
        }
        defer { close(descriptor) }

        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                let reason = String(cString: strerror(errno))
                throw SandboxRegistrationError(path: path, field: nil, problem: "cannot be read (\(reason))",
                                               fix: "Check that the path names a regular file.")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer.prefix(count))
            guard bytes.count <= maximumFileBytes else {
                throw SandboxRegistrationError(path: path, field: nil, problem: "is larger than \(maximumFileBytes) bytes",
                                               fix: "Check that the path names the registration file.")
            }
        }
    }

    /// Logs a warning when group or others may read the file, because it contains the app secret.
    private static func warnIfReadableByOthers(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return }
        Log.warning("sandbox registration file is accessible to other users",
                    ["path": path, "mode": String(status.st_mode & 0o777, radix: 8), "fix": "chmod 600"])
    }

    private func writeError(_ path: String, _ reason: String) -> SandboxRegistrationError {
        SandboxRegistrationError(path: path, field: nil, problem: "cannot be written (\(reason))",
                                 fix: "Check that the directory exists and is writable.")
    }
}

/// An invalid or unreadable registration file. The description names the path, the field and the fix.
public struct SandboxRegistrationError: Error, Equatable, CustomStringConvertible {
    public var path: String
    /// The JSON key at fault, or `nil` when the file as a whole is.
    public var field: String?
    public var problem: String
    public var fix: String

    public var description: String {
        if let field {
            return "sandbox registration \(path): field \"\(field)\" \(problem). \(fix)"
        }
        return "sandbox registration \(path) \(problem). \(fix)"
    }
}
