import Crypto
import HTTPKit
import ProfileStore

extension ConnectionHandlers {
    /// `GET /login/callback`: accepts Pinterest's answer only with this browser's transaction
    /// cookie, once and in time; then exchanges the code, stores the profile, starts a session and
    /// sends the browser back to the application.
    func callback(_ request: Request) -> Response {
        let query = request.query ?? FormFields()
        let login: LoginState
        switch takeLogin(request, query: query) {
        case .failure(let entry):
            var response = entry.error().response(for: request)
            // A repeated state ties the request to no single login, so every pending login keeps its
            // cookie. Only a state in base64url, as this service issues them, may name the cookie:
            // any other text would reach the Set-Cookie header, where `;` adds attributes.
            if let state = query["state"], query.count(of: "state") == 1, Base64URL.decode(state) != nil {
                response.setCookie(deletedCookie(Self.transactionCookieName(state: state)))
            }
            return response
        case .success(let value):
            login = value
        }

        var response: Response
        if login.isTestLogin {
            response = testLoginResult(request, query: query)
        } else if let code = query["code"], !code.isEmpty, query["error"] == nil {
            response = finishLogin(request, login: login, code: code)
        } else {
            // Pinterest's denial is undocumented: anything without a code counts as a denial.
            Log.info("login denied", ["request_id": request.requestID, "client_id": login.clientID,
                                      "pinterest_error": String((query["error"] ?? "none").prefix(64))])
            response = redirectError(to: login.redirectURI, clientState: login.clientState, entry: ErrorCatalogue.accessDenied)
        }
        response.setCookie(deletedCookie(Self.transactionCookieName(state: login.id)))
        return response
    }

    /// Verifies the transaction cookie against the state and consumes the login state.
    private func takeLogin(_ request: Request, query: FormFields) -> Result<LoginState, CatalogueEntry> {
        guard let state = query["state"], !state.isEmpty, query.count(of: "state") == 1 else {
            Log.warning("callback rejected", ["request_id": request.requestID, "reason": "missing_state"])
            return .failure(ErrorCatalogue.invalidState)
        }
        let cookieName = Self.transactionCookieName(state: state)
        guard let cookieValue = request.cookie(cookieName) else {
            let hasAnyCookie = !(request.cookies ?? [:]).isEmpty
            Log.warning("callback rejected", ["request_id": request.requestID, "reason": hasAnyCookie ? "no_transaction_cookie" : "no_cookies"])
            return .failure(hasAnyCookie ? ErrorCatalogue.invalidState : ErrorCatalogue.cookiesBlocked)
        }

        let now = clock()
        let verified: CookieSigner.Verified
        switch signer.verify(cookieName: cookieName, value: cookieValue, now: now,
                             maximumLifetime: configuration.session.loginLifetimeSeconds) {
        case .failure(let rejection):
            Log.warning("callback rejected", ["request_id": request.requestID, "reason": "transaction_cookie_\(rejection)"])
            return .failure(ErrorCatalogue.invalidState)
        case .success(let value):
            verified = value
        }
        let parts = verified.subject.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == state else {
            Log.warning("callback rejected", ["request_id": request.requestID, "reason": "state_mismatch"])
            return .failure(ErrorCatalogue.invalidState)
        }

        let login: LoginState?
        do {
            login = try store.takeLoginState(id: state)
        } catch {
            Log.error("reading login state failed", ["request_id": request.requestID, "error": error.description])
            return .failure(ErrorCatalogue.storeUnavailable)
        }
        guard let login else {
            Log.warning("callback rejected", ["request_id": request.requestID, "reason": "state_used_or_expired"])
            return .failure(ErrorCatalogue.invalidState)
        }
        guard constantTimeEquals(Array(login.browserBinding.utf8), Array(Self.binding(of: String(parts[1])).utf8)) else {
            Log.warning("callback rejected", ["request_id": request.requestID, "reason": "browser_binding_mismatch"])
            return .failure(ErrorCatalogue.invalidState)
        }
        // The configuration may have changed since the login started.
        if login.isTestLogin { return configuration.testPage.enabled ? .success(login) : .failure(ErrorCatalogue.testPageDisabled) }
        guard let application = configuration.application(clientID: login.clientID), application.pinterestEnabled,
            application.allowsCallbackURL(login.redirectURI)
        else {
            return .failure(ErrorCatalogue.connectionDisabled)
        }
        return .success(login)
    }

    private func finishLogin(_ request: Request, login: LoginState, code: String) -> Response {
        let record: UserRecord
        switch completeLogin(code: code, requestID: request.requestID) {
        case .failure(let failure):
            return redirectError(to: login.redirectURI, clientState: login.clientState, entry: failure.entry, detail: failure.detail)
        case .success(let value):
            record = value.record
        }

        let now = clock()
        let session = SessionRecord(id: SecureRandom.token(), userID: record.userID, clientID: login.clientID,
                                    createdAt: now, expiresAt: now + configuration.session.lifetimeSeconds)
        do {
            try store.saveSession(session)
        } catch {
            Log.error("saving session failed", ["request_id": request.requestID, "user_id": record.userID, "error": error.description])
            return redirectError(to: login.redirectURI, clientState: login.clientState, entry: ErrorCatalogue.storeUnavailable)
        }
        endReplacedSession(request)

        var fields = FormFields()
        if let clientState = login.clientState { fields.append("state", clientState) }
        var response = Response.redirect(to: Self.url(login.redirectURI, adding: fields))
        let value = signer.sign(cookieName: Self.sessionCookieName, subject: session.id, issuedAt: now, expiresAt: session.expiresAt)
        response.setCookie(cookie(Self.sessionCookieName, value: value, maxAge: configuration.session.lifetimeSeconds))
        Log.info("login completed", ["request_id": request.requestID, "client_id": login.clientID, "user_id": record.userID])
        return response
    }

    /// Ends the session this browser held before logging in again, since its cookie is replaced
    /// and nothing could use or end that session afterwards.
    private func endReplacedSession(_ request: Request) {
        guard let value = request.cookie(Self.sessionCookieName),
            case .success(let previous) = signer.verify(cookieName: Self.sessionCookieName, value: value, now: clock(),
                                                        maximumLifetime: configuration.session.lifetimeSeconds)
        else { return }
        do {
            try store.deleteSession(id: previous.subject)
        } catch {
            Log.warning("ending the replaced session failed", ["request_id": request.requestID, "error": error.description])
        }
    }
}
