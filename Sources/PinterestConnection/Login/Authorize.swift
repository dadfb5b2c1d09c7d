import Crypto
import HTTPKit
import ProfileStore

extension ConnectionHandlers {
    /// The longest `state` an application may send; it comes back in a URL and a cookie-bound record.
    static let maximumClientStateLength = 1024
    /// Seconds the browser keeps a transaction cookie after its login expired, so that a late callback
    /// still carries it and gets `invalid_state` (expired) rather than `cookies_blocked`.
    static let lateCallbackSeconds: Int64 = 3600

    /// `GET /authorize`: checks the application and its redirect URI, records a one-time login
    /// state bound to this browser, and sends the browser to Pinterest's consent page.
    func authorize(_ request: Request) -> Response {
        let query = request.query ?? FormFields()
        for name in ["client_id", "redirect_uri", "response_type", "state", "connection"] where query.count(of: name) > 1 {
            return ErrorCatalogue.invalidRequest.error(detail: "The \(name) parameter appears more than once.").response(for: request)
        }

        // Until the application and its redirect URI are known to be good, errors show a page:
        // redirecting to an unchecked URL would make this service an open redirector.
        guard let clientID = query["client_id"], !clientID.isEmpty else {
            return ErrorCatalogue.invalidRequest.error(detail: "The client_id parameter is missing.").response(for: request)
        }
        guard let application = configuration.application(clientID: clientID) else {
            Log.warning("authorize rejected", ["request_id": request.requestID, "reason": "unknown_client"])
            return ErrorCatalogue.unknownClient.error().response(for: request)
        }
        guard application.pinterestEnabled else {
            Log.warning("authorize rejected", ["request_id": request.requestID, "client_id": clientID, "reason": "connection_disabled"])
            return ErrorCatalogue.connectionDisabled.error().response(for: request)
        }
        guard let redirectURI = query["redirect_uri"], application.allowsCallbackURL(redirectURI) else {
            Log.warning("authorize rejected", ["request_id": request.requestID, "client_id": clientID, "reason": "callback_url_not_allowed"])
            return ErrorCatalogue.callbackURLNotAllowed.error().response(for: request)
        }

        // From here on, errors go back to the validated redirect URI, as RFC 6749 section 4.1.2.1 requires.
        let clientState = query["state"]
        if let clientState, clientState.utf8.count > Self.maximumClientStateLength {
            return redirectError(to: redirectURI, clientState: nil, entry: ErrorCatalogue.invalidRequest,
                                 detail: "The state parameter is longer than \(Self.maximumClientStateLength) bytes.")
        }
        guard query["response_type"] == "code" else {
            return redirectError(to: redirectURI, clientState: clientState, entry: ErrorCatalogue.unsupportedResponseType)
        }
        if let connection = query["connection"], connection != "pinterest" {
            return redirectError(to: redirectURI, clientState: clientState, entry: ErrorCatalogue.unknownConnection)
        }

        switch beginLogin(request, clientID: clientID, redirectURI: redirectURI, clientState: clientState) {
        case .failure(let error):
            Log.error("saving login state failed", ["request_id": request.requestID, "client_id": clientID, "error": error.description])
            return ErrorCatalogue.storeUnavailable.error().response(for: request)
        case .success(let response):
            Log.info("login started", ["request_id": request.requestID, "client_id": clientID])
            return response
        }
    }

    /// Records a one-time login state bound to this browser by a transaction cookie, and returns
    /// the redirect to Pinterest's consent page. `/authorize` and the test page both start here.
    func beginLogin(_ request: Request, clientID: String, redirectURI: String, clientState: String?) -> Result<Response, StoreError> {
        let now = clock()
        let state = SecureRandom.token()
        let browserSecret = SecureRandom.token()
        let expiresAt = now + configuration.session.loginLifetimeSeconds
        let loginState = LoginState(
            id: state, clientID: clientID, redirectURI: redirectURI, clientState: clientState,
            browserBinding: Self.binding(of: browserSecret), createdAt: now, expiresAt: expiresAt)
        do {
            try store.saveLoginState(loginState)
        } catch {
            return .failure(error)
        }

        var response = Response.redirect(to: pinterest.authorizationURL(state: state))
        for stale in staleTransactionCookies(in: request, now: now) {
            response.setCookie(deletedCookie(stale))
        }
        let cookieName = Self.transactionCookieName(state: state)
        let value = signer.sign(cookieName: cookieName, subject: "\(state):\(browserSecret)", issuedAt: now, expiresAt: expiresAt)
        // The signed expiry ends the login. The longer Max-Age only keeps the cookie for a late callback.
        response.setCookie(cookie(cookieName, value: value, maxAge: configuration.session.loginLifetimeSeconds + Self.lateCallbackSeconds))
        return .success(response)
    }

    /// The transaction cookie of one login, named after a prefix of its state. Twelve base64url
    /// characters carry 72 bits, so two tabs never collide in practice.
    static func transactionCookieName(state: String) -> String {
        transactionCookiePrefix + String(state.prefix(12))
    }

    /// What the store keeps to tie a login to the browser: a hash, so a copy of the store alone
    /// cannot forge the cookie's secret.
    static func binding(of browserSecret: String) -> String {
        Base64URL.encode(sha256(Array(browserSecret.utf8)))
    }

    /// The most stale transaction cookies one response deletes. Each deletion is a `Set-Cookie`
    /// header of about 80 bytes, and nginx answers 502 when a response's headers overflow its
    /// FastCGI buffer (`fastcgi_buffer_size`, 4 KiB or 8 KiB by default).
    static let maximumCookieDeletions = 20

    /// The names of this browser's transaction cookies to delete so that, with the new one, at most
    /// `maximumPendingLogins` remain: unverifiable ones first, then the oldest. A browser sent more
    /// than that by someone else loses at most `maximumCookieDeletions` of them per login.
    private func staleTransactionCookies(in request: Request, now: Int64) -> [String] {
        let pending = (request.cookies ?? [:]).filter { $0.key.hasPrefix(Self.transactionCookiePrefix) }
        guard pending.count >= Self.maximumPendingLogins else { return [] }
        let byAge = pending.map { name, value -> (name: String, issuedAt: Int64) in
            let verified = try? signer.verify(cookieName: name, value: value, now: now,
                                              maximumLifetime: configuration.session.loginLifetimeSeconds).get()
            return (name, verified?.issuedAt ?? Int64.min)
        }.sorted { $0.issuedAt < $1.issuedAt }
        return byAge.prefix(min(pending.count - Self.maximumPendingLogins + 1, Self.maximumCookieDeletions)).map(\.name)
    }

    /// Sends the browser back to the application with an RFC 6749 error, the catalogue's stable
    /// code as `error_code`, and the application's state.
    func redirectError(to redirectURI: String, clientState: String?, entry: CatalogueEntry, detail: String? = nil) -> Response {
        var fields = FormFields()
        fields.append("error", entry.oauthError)
        fields.append("error_description", detail.map { "\(entry.message) \($0)" } ?? entry.message)
        fields.append("error_code", entry.code)
        if let clientState { fields.append("state", clientState) }
        return .redirect(to: Self.url(redirectURI, adding: fields))
    }
}
