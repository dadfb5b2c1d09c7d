#if canImport(Glibc)
import Glibc
#endif
import Crypto
import HTTPKit

/// An in-process stand-in for Pinterest's OAuth 2.0 authorization server and the
/// `GET /v5/user_account` endpoint of API v5, for development and tests without Internet access.
///
/// Paths are relative to the mount point (nginx serves it under `/sandbox/`):
/// - `GET /oauth/`: the authorization page (`www.pinterest.com/oauth/` at Pinterest), which shows
///   a consent page listing the built-in test accounts.
/// - `POST /oauth/consent`: the consent form's target, which redirects to the redirect URI.
/// - `POST /v5/oauth/token`: the token endpoint (`api.pinterest.com/v5/oauth/token`).
/// - `GET /v5/user_account`: the profile of the account an access token belongs to.
///
/// Codes and tokens live in memory only, so they die when the process restarts, much as
/// Pinterest's tokens can die early. Every response carries an `x-pinterest-rid` header.
public final class SandboxProvider: Sendable {
    /// Access token lifetime at Pinterest: 30 days.
    static let accessTokenLifetime: Int64 = 2_592_000
    /// Refresh token lifetime at Pinterest: 60 days, renewed on each refresh because of rotation.
    static let refreshTokenLifetime: Int64 = 5_184_000
    /// Seconds a consent page stays valid for its form POST.
    static let consentLifetime: Int64 = 1800

    let registration: SandboxRegistration
    /// Unix seconds, replaceable so tests can let codes and tokens expire.
    let now: @Sendable () -> Int64
    /// Blocks the calling thread for some seconds, replaceable so tests of slow faults run fast.
    let sleep: @Sendable (Double) -> Void

    let consents = ExpiringStore<PendingConsent>(name: "consents", capacity: 10_000)
    let codes = ExpiringStore<AuthorizationCodeGrant>(name: "authorization_codes", capacity: 10_000)
    let accessTokens = ExpiringStore<TokenGrant>(name: "access_tokens", capacity: 50_000)
    let refreshTokens = ExpiringStore<TokenGrant>(name: "refresh_tokens", capacity: 50_000)
    let grantedScopes = GrantedScopes()

    public convenience init(registration: SandboxRegistration) {
        self.init(registration: registration, now: { Clock.unixTime() }, sleep: SandboxProvider.sleepThread)
    }

    init(registration: SandboxRegistration, now: @escaping @Sendable () -> Int64,
         sleep: @escaping @Sendable (Double) -> Void) {
        self.registration = registration
        self.now = now
        self.sleep = sleep
    }

    /// Serves one request to any of the provider's paths. Safe to call from many threads at once.
    public func handle(_ request: Request) -> Response {
        let pinterestRequestID = SandboxProvider.makePinterestRequestID()
        var response = route(request, pinterestRequestID: pinterestRequestID)
        response.setHeader("x-pinterest-rid", pinterestRequestID)
        return response
    }

    /// Removes expired consents, codes and tokens, for a periodic timer. Inserts purge on their own
    /// when a store is full, so calling this is optional.
    public func purgeExpired() {
        let now = now()
        consents.purgeExpired(now: now)
        codes.purgeExpired(now: now)
        accessTokens.purgeExpired(now: now)
        refreshTokens.purgeExpired(now: now)
    }

    private func route(_ request: Request, pinterestRequestID: String) -> Response {
        var path = request.path
        while path.count > 1 && path.hasSuffix("/") {
            path.removeLast()
        }

        switch path {
        case "/oauth":
            guard request.method == "GET" || request.method == "HEAD" else {
                return methodNotAllowedPage(request, allowed: "GET, HEAD")
            }
            return authorizationPage(request, pinterestRequestID: pinterestRequestID)
        case "/oauth/consent":
            guard request.method == "POST" else {
                return methodNotAllowedPage(request, allowed: "POST")
            }
            return consentDecision(request, pinterestRequestID: pinterestRequestID)
        case "/v5/oauth/token":
            guard request.method == "POST" else {
                return methodNotAllowedJSON(allowed: "POST")
            }
            return tokenResponse(request, pinterestRequestID: pinterestRequestID)
        case "/v5/user_account":
            guard request.method == "GET" || request.method == "HEAD" else {
                return methodNotAllowedJSON(allowed: "GET, HEAD")
            }
            return userAccountResponse(request, pinterestRequestID: pinterestRequestID)
        default:
            return SandboxProvider.pinterestError(
                status: 404, code: 404,
                message: "The sandbox has no endpoint at \(path). It serves /oauth/, /oauth/consent, /v5/oauth/token and /v5/user_account."
            )
        }
    }

    private func methodNotAllowedPage(_ request: Request, allowed: String) -> Response {
        var response = HTTPError(status: 405, code: "method_not_allowed",
                                 message: "This path does not accept \(request.method) requests.",
                                 hint: "Use \(allowed).").response(for: request)
        response.setHeader("Allow", allowed)
        return response
    }

    // NOTE: the body of Pinterest's 405 is unconfirmed, so the sandbox uses the usual error shape.
    private func methodNotAllowedJSON(allowed: String) -> Response {
        var response = SandboxProvider.pinterestError(status: 405, code: 405, message: "Method not allowed. Use \(allowed).")
        response.setHeader("Allow", allowed)
        return response
    }

    /// Builds a JSON error in Pinterest's shape, `{"code": int, "message": string}`.
    static func pinterestError(status: Int, code: Int, message: String) -> Response {
        .json(["code": .int(Int64(code)), "message": .string(message)], status: status)
    }

    /// Makes a random request id of 16 decimal digits, the form of the `x-pinterest-rid` values that
    /// Pinterest sends. Decimal digits are valid hex digits too.
    static func makePinterestRequestID() -> String {
        let number = SecureRandom.bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 10_000_000_000_000_000
        let digits = String(number)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func sleepThread(seconds: Double) {
        guard seconds > 0 else { return }
        let whole = seconds.rounded(.down)
        var request = timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1_000_000_000))
        var remaining = timespec()
        // A signal interrupts nanosleep, so the loop sleeps on for the remaining time.
        while nanosleep(&request, &remaining) == -1 && errno == EINTR {
            request = remaining
        }
    }
}
