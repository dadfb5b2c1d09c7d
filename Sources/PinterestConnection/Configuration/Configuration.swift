#if canImport(Glibc)
import Glibc
#endif
import HTTPKit

/// Everything the operator configures, read from one JSON file plus secrets from environment
/// variables or files. Invalid configuration stops start-up with a message naming the field.
public struct Configuration: Sendable {
    /// The service's public URL without a trailing slash, for example `https://example.com` or
    /// `https://example.com/auth`; never taken from request headers.
    public var publicURL: String
    public var pinterest: PinterestSettings
    /// On: each login overwrites the profile's root attributes from Pinterest. Off: only the first.
    public var syncUserProfile: Bool
    public var applications: [Application]
    public var session: SessionSettings
    public var store: StoreSettings
    public var testPage: TestPageSettings

    /// The redirect URI to register at Pinterest and to send in every authorization request.
    public var redirectURI: String { publicURL + "/login/callback" }

    /// The path cookies are limited to: the public URL's path, or `/` at the root.
    /// `session.cookie_path` when set, so that `auth_request` can protect pages outside a mount
    /// prefix; otherwise the public URL's path, or `/` at the root.
    public var cookiePath: String {
        if let path = session.cookiePath { return path }
        let path = URLParts(publicURL)?.path ?? ""
        return path.isEmpty ? "/" : path
    }

    /// Whether cookies must carry `Secure`: whenever the public URL is https.
    public var usesHTTPS: Bool { publicURL.lowercased().hasPrefix("https://") }

    public func application(clientID: String) -> Application? {
        applications.first { $0.clientID == clientID }
    }
}

public struct PinterestSettings: Sendable {
    public var clientID: String
    public var clientSecret: String
    /// Pinterest's authorization page, `https://www.pinterest.com/oauth/` by default.
    public var authorizationURL: String
    /// The API base without `/v5`, `https://api.pinterest.com` by default.
    public var apiBaseURL: String
    /// The scopes to request, `user_accounts:read` always among them.
    public var scopes: [String]
    /// Set when the embedded sandbox replaces Pinterest.
    public var sandbox: Bool
    public var connectTimeoutMilliseconds: Int
    public var timeoutMilliseconds: Int
    /// Largest Pinterest response read before giving up, so a huge body cannot exhaust memory.
    public var maximumResponseBytes: Int
    /// TLS certificate verification; only the loopback sandbox may go without it.
    public var verifyTLS: Bool

    /// The 19 scopes of Pinterest API v5 (OpenAPI description 5.23.0).
    public static let knownScopes: Set<String> = [
        "ads:read", "ads:write", "billing:read", "billing:write", "biz_access:read", "biz_access:write",
        "boards:read", "boards:read_secret", "boards:write", "boards:write_secret", "catalogs:read",
        "catalogs:write", "msot:write", "pins:read", "pins:read_secret", "pins:write", "pins:write_secret",
        "user_accounts:read", "user_accounts:write",
    ]
}

/// An application that may send users to this connection.
public struct Application: Sendable {
    public var name: String
    public var clientID: String
    public var clientSecret: String
    /// Redirect URIs accepted at `/authorize`, compared byte for byte.
    public var callbackURLs: [String]
    /// `returnTo` values accepted at `/logout`, compared byte for byte.
    public var logoutURLs: [String]
    public var pinterestEnabled: Bool
    /// Whether `/api/users/{id}` may include the user's Pinterest tokens for this application.
    public var exposePinterestTokens: Bool

    /// Checks that `url` is one of `callbackURLs`, byte for byte. Swift's `==` on strings compares
    /// canonical equivalence instead, under which U+212A KELVIN SIGN equals `K`.
    public func allowsCallbackURL(_ url: String) -> Bool {
        callbackURLs.contains { $0.utf8.elementsEqual(url.utf8) }
    }

    /// Checks that `url` is one of `logoutURLs`, byte for byte.
    public func allowsLogoutURL(_ url: String) -> Bool {
        logoutURLs.contains { $0.utf8.elementsEqual(url.utf8) }
    }
}

public struct SessionSettings: Sendable {
    public var lifetimeSeconds: Int64
    /// Signing keys; the first signs, every one verifies, so a key can be rotated in.
    public var keys: [SigningKey]
    /// How long a login may take between `/authorize` and `/login/callback`.
    public var loginLifetimeSeconds: Int64
    /// The `Path` of the session and transaction cookies, when it differs from the public URL's path.
    public var cookiePath: String? = nil
}

public struct SigningKey: Sendable {
    public var id: String
    public var secret: [UInt8]
}

public struct StoreSettings: Sendable {
    public var directory: String
    /// The AES-256-GCM key for Pinterest tokens at rest, separate from the session keys.
    public var tokenKey: [UInt8]
}

public struct TestPageSettings: Sendable {
    public var enabled: Bool
    /// The operator password for `/test` (HTTP Basic, user `operator`); none in sandbox mode.
    public var password: String?
}

/// The parts of an absolute http or https URL that matching and cookie paths need.
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var path: String

    public init?(_ url: String) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[url.index(colon, offsetBy: 3)...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        let portSeparator = authority.hasSuffix("]") ? nil : authority.lastIndex(of: ":")
        if let portSeparator {
            host = authority[..<portSeparator].lowercased()
            let digits = authority[authority.index(after: portSeparator)...]
            // Int("+80") is 80, but a port is digits only (RFC 3986 section 3.2.3).
            guard digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let number = Int(digits), (1...65535).contains(number) else { return nil }
            port = number
        } else {
            host = authority.lowercased()
            port = nil
        }
        guard !host.isEmpty else { return nil }
        let pathEnd = rest[authorityEnd...].firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        path = String(rest[authorityEnd..<pathEnd])
        if path.hasSuffix("/") { path.removeLast() }
    }
}
