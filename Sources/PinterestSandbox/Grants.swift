import Crypto
import Foundation

/// An authorization request that passed validation and waits for the person's decision on the
/// consent page. The consent form carries only its id, so a forged form cannot change the client,
/// the redirect URI, the scopes or the state.
struct PendingConsent: Sendable {
    var clientID: String
    var redirectURI: String
    var scopes: [String]
    var state: String?
    var codeChallenge: CodeChallenge?
}

/// An RFC 7636 code challenge from the authorization request.
struct CodeChallenge: Sendable, Equatable {
    enum Method: String, Sendable { case s256 = "S256", plain }

    var value: String
    var method: Method

    /// Checks a `code_verifier` against the challenge in constant time.
    func isSatisfied(by verifier: String) -> Bool {
        let computed = switch method {
        case .s256: Base64URL.encode(sha256(Array(verifier.utf8)))
        case .plain: verifier
        }
        return constantTimeEquals(Array(computed.utf8), Array(value.utf8))
    }
}

/// The grant behind an authorization code, bound to the client and the redirect URI it was issued for.
struct AuthorizationCodeGrant: Sendable {
    var clientID: String
    var redirectURI: String
    var accountID: String
    var scopes: [String]
    var codeChallenge: CodeChallenge?
}

/// The grant behind an access token or a refresh token.
struct TokenGrant: Sendable {
    var clientID: String
    var accountID: String
    var scopes: [String]
}

/// The scopes each test account has granted to the app so far. Pinterest's token responses list
/// every scope the user ever granted to the app, not only those of the last request.
final class GrantedScopes: @unchecked Sendable {
    private let lock = NSLock()
    /// Keyed by account id, so its size is bounded by the number of built-in test accounts.
    private var scopesByAccount: [String: Set<String>] = [:]

    /// Adds scopes to an account's grant and returns the whole grant in `PinterestScope.all` order.
    func grant(_ scopes: [String], to accountID: String) -> [String] {
        let union = lock.withLock {
            scopesByAccount[accountID, default: []].formUnion(scopes)
            return scopesByAccount[accountID, default: []]
        }
        return PinterestScope.sorted(union)
    }
}
