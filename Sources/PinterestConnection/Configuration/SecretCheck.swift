#if canImport(Glibc)
import Glibc
#endif
import HTTPKit

/// The secret checks of `pinterest-connection check`, beyond the loader's minimum lengths: secrets
/// that are guessable, reused or readable by other users.
enum SecretCheck {
    /// Words that mark a secret copied from an example rather than generated.
    static let placeholderWords = ["changeme", "change-me", "change_me", "password", "example", "placeholder", "your-secret", "secret123"]
    /// Fewer distinct characters than this in a generated secret means it was typed, not generated:
    /// 64 random hex digits have 16 distinct characters with near certainty.
    static let minimumDistinctCharacters = 8

    static func problems(_ configuration: Configuration, raw: JSON, path: String) -> [String] {
        var problems: [String] = []
        let sandbox = configuration.pinterest.sandbox

        // Generated secrets: session keys and the token key must look random in every mode.
        for (index, key) in configuration.session.keys.enumerated() {
            if let weakness = weakness(of: String(decoding: key.secret, as: UTF8.self)) {
                problems.append("session.keys[\(index)].secret: \(weakness); generate one with `openssl rand -hex 32`")
            }
        }
        if Set(configuration.store.tokenKey).count < minimumDistinctCharacters {
            problems.append("store.token_key: has only \(Set(configuration.store.tokenKey).count) distinct bytes, so it is not random; generate one with `openssl rand -hex 32`")
        }

        // Chosen secrets: the sandbox accepts short demo values, a real deployment does not.
        if !sandbox {
            for (index, application) in configuration.applications.enumerated() {
                if let weakness = weakness(of: application.clientSecret) {
                    problems.append("applications[\(index)].client_secret: \(weakness); set one from `openssl rand -hex 32` and give it to the application")
                }
            }
            if let password = configuration.testPage.password, let weakness = weakness(of: password) {
                problems.append("test_page.password: \(weakness); set one from `openssl rand -base64 18`")
            }
        }

        problems += reuseProblems(configuration)
        problems += exposureProblems(raw: raw, path: path)
        return problems
    }

    /// Returns why a secret is guessable, or nil.
    static func weakness(of secret: String) -> String? {
        let lowered = secret.lowercased()
        if let word = placeholderWords.first(where: { lowered.contains($0) }) {
            return "contains \"\(word)\", so it looks copied from an example"
        }
        let distinct = Set(secret.unicodeScalars).count
        if distinct < minimumDistinctCharacters {
            return "has only \(distinct) distinct characters, so it is easy to guess"
        }
        return nil
    }

    /// Finds secrets used for two purposes, because a leak of one would expose the other.
    static func reuseProblems(_ configuration: Configuration) -> [String] {
        var owners: [(field: String, secret: String)] = []
        for (index, key) in configuration.session.keys.enumerated() {
            owners.append(("session.keys[\(index)].secret", String(decoding: key.secret, as: UTF8.self)))
        }
        owners.append(("store.token_key", hex(configuration.store.tokenKey)))
        for (index, application) in configuration.applications.enumerated() where !application.clientSecret.isEmpty {
            owners.append(("applications[\(index)].client_secret", application.clientSecret))
        }
        if !configuration.pinterest.sandbox {
            owners.append(("pinterest.client_secret", configuration.pinterest.clientSecret))
        }
        if let password = configuration.testPage.password {
            owners.append(("test_page.password", password))
        }

        var problems: [String] = []
        for (index, owner) in owners.enumerated() {
            let normalized = owner.secret.lowercased()
            if let first = owners[..<index].first(where: { $0.secret.lowercased() == normalized }) {
                problems.append("\(owner.field): the same secret as \(first.field); give each purpose its own secret")
            }
        }
        return problems
    }

    /// Finds inline secrets in a file that other users can read, and secret files they can read.
    static func exposureProblems(raw: JSON, path: String) -> [String] {
        var references: [(field: String, value: JSON?)] = [
            ("pinterest.client_secret", raw["pinterest"]?["client_secret"]),
            ("store.token_key", raw["store"]?["token_key"]),
            ("test_page.password", raw["test_page"]?["password"]),
        ]
        for (index, application) in (raw["applications"]?.arrayValue ?? []).enumerated() {
            references.append(("applications[\(index)].client_secret", application["client_secret"]))
        }
        for (index, key) in (raw["session"]?["keys"]?.arrayValue ?? []).enumerated() {
            references.append(("session.keys[\(index)].secret", key["secret"]))
        }

        var problems: [String] = []
        let inlineFields = references.filter { $0.value?.stringValue != nil }.map(\.field)
        if !inlineFields.isEmpty, let mode = permissionsReadableByOthers(path) {
            problems.append("(file): \(path) contains secrets inline (\(inlineFields.joined(separator: ", "))) and is readable by other users (mode \(mode)); run chmod 600 \(path), or move the secrets to {\"file\": ...} or {\"env\": ...}")
        }
        for reference in references {
            guard let file = reference.value?["file"]?.stringValue else { continue }
            let resolved = ConfigurationCheck.resolve(file, relativeTo: path)
            if let mode = permissionsReadableByOthers(resolved) {
                problems.append("\(reference.field): the secret file \(resolved) is readable by other users (mode \(mode)); run chmod 600 \(resolved)")
            }
        }
        return problems
    }

    /// Returns the octal mode of a file that group or others may read or write, or nil.
    private static func permissionsReadableByOthers(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return nil }
        return String(status.st_mode & 0o777, radix: 8)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
