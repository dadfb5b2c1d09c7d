import Crypto
import HTTPKit

/// The fields of a successful grant from Pinterest's token endpoint.
public struct PinterestTokenGrant: Sendable, Equatable {
    public var accessToken: String
    public var expiresIn: Int64
    public var refreshToken: String?
    public var refreshTokenExpiresIn: Int64?
    /// Space separated: every scope the user ever granted to the app.
    public var scope: String

    public var scopes: Set<String> { Set(scope.split(separator: " ").map(String.init)) }
}

/// How a call to Pinterest failed, with what Pinterest returned (never a token or secret).
public struct PinterestFailure: Error, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Connection refused, DNS or TLS failure.
        case unreachable
        case timedOut
        /// HTTP 429.
        case rateLimited
        /// 5xx.
        case serverError
        /// 401 code 2 at the token endpoint: the app ID or secret is wrong.
        case invalidClient
        /// Code or refresh token rejected (code 283).
        case invalidGrant
        /// 401 code 3 or a grant without `user_accounts:read`.
        case missingScope
        /// The access token was rejected by the user-account endpoint.
        case tokenRejected
        /// Any other 4xx.
        case rejected
        /// Not JSON, missing fields, a redirect or a body over the size limit.
        case invalidAnswer
        /// The user account has no `id`, so it cannot be keyed safely.
        case accountWithoutID
    }

    public var kind: Kind
    public var step: String
    public var status: Int?
    public var pinterestCode: Int64?
    public var pinterestMessage: String?
    public var requestID: String?
    public var detail: String

    public init(kind: Kind, step: String, status: Int? = nil, pinterestCode: Int64? = nil,
                pinterestMessage: String? = nil, requestID: String? = nil, detail: String) {
        self.kind = kind
        self.step = step
        self.status = status
        self.pinterestCode = pinterestCode
        self.pinterestMessage = pinterestMessage
        self.requestID = requestID
        self.detail = detail
    }
}

/// Calls Pinterest's token and user-account endpoints (API v5).
public final class PinterestClient: Sendable {
    private let settings: PinterestSettings
    private let redirectURI: String
    private let http: HTTPClient

    public init(settings: PinterestSettings, redirectURI: String) {
        self.settings = settings
        self.redirectURI = redirectURI
        self.http = HTTPClient(limits: HTTPClient.Limits(
            connectTimeoutMilliseconds: settings.connectTimeoutMilliseconds,
            timeoutMilliseconds: settings.timeoutMilliseconds,
            maximumResponseBytes: settings.maximumResponseBytes,
            verifyTLS: settings.verifyTLS))
    }

    public static func initializeLibrary() {
        HTTPClient.initializeLibrary()
    }

    /// The URL of Pinterest's consent page for one login.
    public func authorizationURL(state: String) -> String {
        var query = FormFields()
        query.append("client_id", settings.clientID)
        query.append("redirect_uri", redirectURI)
        query.append("response_type", "code")
        query.append("scope", settings.scopes.joined(separator: ","))
        query.append("state", state)
        let separator = settings.authorizationURL.contains("?") ? "&" : "?"
        return settings.authorizationURL + separator + query.encoded
    }

    /// Exchanges an authorization code at `POST /v5/oauth/token`, authenticating with HTTP Basic.
    public func exchange(code: String) -> Result<PinterestTokenGrant, PinterestFailure> {
        var form = FormFields()
        form.append("grant_type", "authorization_code")
        form.append("code", code)
        form.append("redirect_uri", redirectURI)
        return requestToken(form: form, step: "token_exchange")
    }

    /// Trades a refresh token for new tokens; Pinterest rotates the refresh token as it does so.
    public func refresh(refreshToken: String) -> Result<PinterestTokenGrant, PinterestFailure> {
        var form = FormFields()
        form.append("grant_type", "refresh_token")
        form.append("refresh_token", refreshToken)
        return requestToken(form: form, step: "token_refresh")
    }

    private func requestToken(form: FormFields, step: String) -> Result<PinterestTokenGrant, PinterestFailure> {
        let credentials = Base64URL.encodeStandard(Array("\(settings.clientID):\(settings.clientSecret)".utf8))
        let result = http.send(
            url: settings.apiBaseURL + "/v5/oauth/token",
            headers: ["Authorization: Basic \(credentials)",
                      "Content-Type: application/x-www-form-urlencoded",
                      "Accept: application/json"],
            body: form.encoded)
        switch classify(result, step: step) {
        case .failure(let failure): return .failure(failure)
        case .success(let answer): return tokenGrant(from: answer, step: step)
        }
    }

    /// The longest lifetime accepted for a token: Pinterest documents 30 days for access tokens
    /// and 60 days for refresh tokens, and callers add lifetimes to the current Unix time.
    static let maximumTokenLifetime: Int64 = 10 * 365 * 86_400

    /// Reads a successful token response. A lifetime may be a JSON number or a string of digits.
    /// One that is not a whole number of seconds from 1 to `maximumTokenLifetime` makes the answer
    /// invalid, so adding it to the current time cannot overflow.
    func tokenGrant(from answer: JSON, step: String) -> Result<PinterestTokenGrant, PinterestFailure> {
        func invalid(_ detail: String) -> Result<PinterestTokenGrant, PinterestFailure> {
            .failure(PinterestFailure(kind: .invalidAnswer, step: step, status: 200, detail: detail))
        }
        guard let accessToken = answer["access_token"]?.stringValue, !accessToken.isEmpty else {
            return invalid("the token response has no access_token")
        }
        var lifetimes: [String: Int64] = [:]
        for field in ["expires_in", "refresh_token_expires_in"] {
            guard let value = answer[field], !value.isNull else { continue }
            guard let seconds = value.intValue ?? value.stringValue.flatMap({ Int64($0) }),
                (1...Self.maximumTokenLifetime).contains(seconds)
            else {
                return invalid("the token response's \(field) is not a number of seconds from 1 to \(Self.maximumTokenLifetime)")
            }
            lifetimes[field] = seconds
        }
        return .success(PinterestTokenGrant(
            accessToken: accessToken,
            expiresIn: lifetimes["expires_in"] ?? 2_592_000,
            refreshToken: answer["refresh_token"]?.stringValue,
            refreshTokenExpiresIn: lifetimes["refresh_token_expires_in"],
            scope: answer["scope"]?.stringValue ?? ""))
    }

    /// Reads `GET /v5/user_account` with the user's access token.
    public func userAccount(accessToken: String) -> Result<JSON, PinterestFailure> {
        let result = http.send(
            url: settings.apiBaseURL + "/v5/user_account",
            headers: ["Authorization: Bearer \(accessToken)", "Accept: application/json"],
            body: nil)
        switch classify(result, step: "user_account") {
        case .failure(let failure): return .failure(failure)
        case .success(let account):
            guard account.objectValue != nil else {
                return .failure(PinterestFailure(kind: .invalidAnswer, step: "user_account", status: 200,
                                                 detail: "the user account is not a JSON object"))
            }
            return .success(account)
        }
    }

    /// Turns a transport result into Pinterest's JSON response or a classified failure.
    func classify(_ result: Result<HTTPClient.Result, HTTPClient.Failure>, step: String) -> Result<JSON, PinterestFailure> {
        let response: HTTPClient.Result
        switch result {
        case .failure(.timedOut(let reason)):
            return .failure(PinterestFailure(kind: .timedOut, step: step, detail: "no answer within \(settings.timeoutMilliseconds) ms (\(reason))"))
        case .failure(.unreachable(let reason)):
            return .failure(PinterestFailure(kind: .unreachable, step: step, detail: reason))
        case .failure(.tooLarge(let limit)):
            return .failure(PinterestFailure(kind: .invalidAnswer, step: step, detail: "the answer is larger than \(limit) bytes"))
        case .failure(.failed(let reason)):
            return .failure(PinterestFailure(kind: .unreachable, step: step, detail: reason))
        case .success(let value):
            response = value
        }

        let requestID = response.headers["x-pinterest-rid"].map { String($0.prefix(64)) }
        let parsed = try? JSONParser(maximumDepth: 16, maximumBytes: settings.maximumResponseBytes).parse(response.body)
        let code = parsed?["code"]?.intValue
        let message = parsed?["message"]?.stringValue.map { String($0.prefix(300)) }
        func failure(_ kind: PinterestFailure.Kind, _ detail: String) -> Result<JSON, PinterestFailure> {
            .failure(PinterestFailure(kind: kind, step: step, status: response.status, pinterestCode: code,
                                      pinterestMessage: message, requestID: requestID, detail: detail))
        }

        switch response.status {
        case 200:
            guard let parsed else { return failure(.invalidAnswer, "the answer is not valid JSON") }
            return .success(parsed)
        case 300..<400:
            return failure(.invalidAnswer, "Pinterest answered with a redirect, which the API never does")
        case 429:
            return failure(.rateLimited, "Pinterest's rate limit was reached")
        case 500...:
            return failure(.serverError, "Pinterest failed with HTTP \(response.status)")
        default:
            break
        }
        switch (step, code) {
        case ("user_account", 3):
            return failure(.missingScope, "the access token lacks the user_accounts:read scope")
        case ("user_account", _) where response.status == 401:
            return failure(.tokenRejected, "Pinterest rejected the access token")
        case (_, 2) where response.status == 401:
            return failure(.invalidClient, "Pinterest rejected the app ID or app secret")
        case (_, 283):
            return failure(.invalidGrant, "Pinterest rejected the authorization code or refresh token")
        default:
            return failure(.rejected, "Pinterest rejected the request with HTTP \(response.status)")
        }
    }
}
