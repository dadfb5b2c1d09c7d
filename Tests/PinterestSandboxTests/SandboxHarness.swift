import Crypto
import Foundation
import HTTPKit
@testable import PinterestSandbox

/// A clock the tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Int64 = 1_750_000_000

    var now: Int64 { lock.withLock { seconds } }

    func advance(by delta: Int64) {
        lock.withLock { seconds += delta }
    }
}

/// Records the sleeps of slow faults instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []

    var sleeps: [Double] { lock.withLock { recorded } }

    func record(_ seconds: Double) {
        lock.withLock { recorded.append(seconds) }
    }
}

/// A provider with a test clock and recorded sleeps, and the steps of the OAuth dance as calls.
struct SandboxHarness {
    static let redirectURI = "http://localhost:8080/auth/pinterest/callback"
    static let secondRedirectURI = "http://127.0.0.1:8080/auth/pinterest/callback?source=sandbox"
    static let appSecret = "0123456789abcdef0123456789abcdef01234567"

    let registration: SandboxRegistration
    let provider: SandboxProvider
    let clock = TestClock()
    let sleepRecorder = SleepRecorder()

    init(codeLifetimeSeconds: Int = 600, slowSeconds: Double = 2.5, appName: String = "Sandbox Test App") {
        registration = SandboxRegistration(appID: SandboxRegistration.defaultAppID, appSecret: SandboxHarness.appSecret,
                                           appName: appName,
                                           redirectURIs: [SandboxHarness.redirectURI, SandboxHarness.secondRedirectURI],
                                           slowSeconds: slowSeconds, codeLifetimeSeconds: codeLifetimeSeconds)
        let clock = clock
        let sleepRecorder = sleepRecorder
        provider = SandboxProvider(registration: registration, now: { clock.now }, sleep: { sleepRecorder.record($0) })
    }

    var basicAuthorization: String {
        SandboxHarness.basic(registration.appID, registration.appSecret)
    }

    static func basic(_ clientID: String, _ secret: String) -> String {
        "Basic " + Base64URL.encodeStandard(Array("\(clientID):\(secret)".utf8))
    }

    /// `GET /oauth/` with the usual parameters; pass `nil` to leave one out.
    func authorize(clientID: String? = SandboxRegistration.defaultAppID,
                   redirectURI: String? = SandboxHarness.redirectURI,
                   responseType: String? = "code",
                   scope: String? = "user_accounts:read,pins:read",
                   state: String? = "state-1234",
                   extra: [(String, String)] = []) -> Response {
        var query = FormFields()
        if let clientID { query.append("client_id", clientID) }
        if let redirectURI { query.append("redirect_uri", redirectURI) }
        if let responseType { query.append("response_type", responseType) }
        if let scope { query.append("scope", scope) }
        if let state { query.append("state", state) }
        for (name, value) in extra { query.append(name, value) }
        return provider.handle(Request(method: "GET", path: "/oauth/", mountPath: "/sandbox", queryString: query.encoded))
    }

    /// `POST /oauth/consent` with the given fields.
    func postConsent(_ fields: [(String, String)]) -> Response {
        let body = FormFields(fields.map { (name: $0.0, value: $0.1) }).encoded
        return provider.handle(Request(method: "POST", path: "/oauth/consent", mountPath: "/sandbox",
                                       headers: ["content-type": "application/x-www-form-urlencoded"],
                                       body: Array(body.utf8)))
    }

    /// Runs the authorization page and Allow, and returns the redirect's query.
    func allow(account: String = "sandbox_pinner", scope: String = "user_accounts:read,pins:read",
               state: String? = "state-1234", redirectURI: String = SandboxHarness.redirectURI,
               extra: [(String, String)] = []) -> FormFields {
        let page = authorize(redirectURI: redirectURI, scope: scope, state: state, extra: extra)
        let consentID = SandboxHarness.consentID(in: page) ?? ""
        let response = postConsent([("consent_id", consentID), ("decision", "allow"), ("account", account)])
        return SandboxHarness.redirectQuery(response) ?? FormFields()
    }

    /// Runs the authorization page and Allow, and returns the authorization code.
    func authorizationCode(account: String = "sandbox_pinner", scope: String = "user_accounts:read,pins:read",
                           extra: [(String, String)] = []) -> String {
        allow(account: account, scope: scope, extra: extra)["code"] ?? ""
    }

    /// How a token request authenticates the client.
    enum ClientAuthentication {
        /// HTTP Basic with the registered app id and secret.
        case registered
        case header(String)
        case none
    }

    /// `POST /v5/oauth/token` with a form body.
    func token(_ fields: [(String, String)], authentication: ClientAuthentication = .registered,
               contentType: String = "application/x-www-form-urlencoded") -> Response {
        var headers = ["content-type": contentType]
        switch authentication {
        case .registered: headers["authorization"] = basicAuthorization
        case .header(let value): headers["authorization"] = value
        case .none: break
        }
        let body = FormFields(fields.map { (name: $0.0, value: $0.1) }).encoded
        return provider.handle(Request(method: "POST", path: "/v5/oauth/token", mountPath: "/sandbox",
                                       headers: headers, body: Array(body.utf8)))
    }

    func exchange(code: String, redirectURI: String = SandboxHarness.redirectURI) -> Response {
        token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)])
    }

    func refresh(_ refreshToken: String, scope: String? = nil) -> Response {
        var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if let scope { fields.append(("scope", scope)) }
        return token(fields)
    }

    /// Runs the whole dance up to the token response and returns its JSON.
    func tokens(account: String = "sandbox_pinner", scope: String = "user_accounts:read,pins:read") -> JSON {
        SandboxHarness.json(exchange(code: authorizationCode(account: account, scope: scope))) ?? .null
    }

    func userAccount(accessToken: String?) -> Response {
        var headers: [String: String] = [:]
        if let accessToken { headers["authorization"] = "Bearer \(accessToken)" }
        return provider.handle(Request(method: "GET", path: "/v5/user_account", mountPath: "/sandbox", headers: headers))
    }

    static func json(_ response: Response) -> JSON? {
        try? JSONParser(maximumBytes: 64 << 20).parse(response.body)
    }

    static func text(_ response: Response) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    /// Extracts the value of the consent page's hidden `consent_id` field.
    static func consentID(in response: Response) -> String? {
        let page = text(response)
        guard let start = page.range(of: #"name="consent_id" value=""#) else { return nil }
        return String(page[start.upperBound...].prefix { $0 != "\"" })
    }

    /// Parses the query of a redirect's `Location`.
    static func redirectQuery(_ response: Response) -> FormFields? {
        guard let location = response.header("Location"), let mark = location.firstIndex(of: "?") else { return nil }
        return try? FormFields(urlEncoded: String(location[location.index(after: mark)...]))
    }

    /// Extracts the Pinterest error code of a JSON error body.
    static func errorCode(_ response: Response) -> Int64? {
        json(response)?["code"]?.intValue
    }
}
