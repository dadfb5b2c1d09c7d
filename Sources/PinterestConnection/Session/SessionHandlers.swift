import HTTPKit
import ProfileStore

extension ConnectionHandlers {
    enum SessionLookup {
        /// A live session, its user's id and the user's profile, read without the Pinterest tokens.
        case valid(SessionRecord, userID: String, profile: JSON)
        /// No cookie, or one this service did not sign.
        case missing
        /// A genuine cookie whose session expired, was ended or whose user was deleted.
        case ended
        case storeFailure(StoreError)
    }

    /// Finds the session and the user's profile behind the request's session cookie.
    func lookUpSession(_ request: Request) -> SessionLookup {
        guard let value = request.cookie(Self.sessionCookieName) else { return .missing }
        let verified: CookieSigner.Verified
        switch signer.verify(cookieName: Self.sessionCookieName, value: value, now: clock(),
                             maximumLifetime: configuration.session.lifetimeSeconds) {
        case .success(let result):
            verified = result
        case .failure(.expired):
            return .ended
        case .failure:
            return .missing
        }
        do {
            guard let session = try store.session(id: verified.subject) else { return .ended }
            guard let profile = try store.profile(userID: session.userID) else { return .ended }
            return .valid(session, userID: session.userID, profile: profile)
        } catch {
            return .storeFailure(error)
        }
    }

    /// `GET /profile`: the normalized profile of the logged-in user, never with Pinterest tokens.
    func profile(_ request: Request) -> Response {
        switch lookUpSession(request) {
        case .valid(_, _, let profile):
            return .json(profile)
        case .missing:
            return ErrorCatalogue.loginRequired.error().jsonResponse(for: request)
        case .ended:
            return ErrorCatalogue.sessionExpired.error().jsonResponse(for: request)
        case .storeFailure(let error):
            Log.error("reading session failed", ["request_id": request.requestID, "error": error.description])
            let entry = if case .corruptRecord = error { ErrorCatalogue.corruptRecord } else { ErrorCatalogue.storeUnavailable }
            return entry.error().jsonResponse(for: request)
        }
    }

    /// `GET /auth`, for nginx's `auth_request`: 204 with the user's id, nickname and name for a
    /// valid session, 401 otherwise. auth_request treats any other status as an error, so even a
    /// store failure answers 401: the protected page fails closed.
    func authRequest(_ request: Request) -> Response {
        guard case .valid(_, let userID, let profile) = lookUpSession(request) else {
            return Response(status: 401)
        }
        var response = Response(status: 204)
        response.addHeader("X-Auth-User-Id", userID)
        response.addHeader("X-Auth-Nickname", profile["nickname"]?.stringValue ?? "")
        response.addHeader("X-Auth-Name", profile["name"]?.stringValue ?? "")
        response.addHeader("Cache-Control", "no-store")
        return response
    }

    /// `GET /logout`: ends the session on the server, clears the cookie, and sends the browser to
    /// `returnTo` only when it is one of the application's allowed logout URLs.
    func logout(_ request: Request) -> Response {
        if let value = request.cookie(Self.sessionCookieName),
            case .success(let verified) = signer.verify(cookieName: Self.sessionCookieName, value: value, now: clock(),
                                                        maximumLifetime: configuration.session.lifetimeSeconds)
        {
            do {
                try store.deleteSession(id: verified.subject)
                Log.info("logged out", ["request_id": request.requestID])
            } catch {
                // The cookie is cleared anyway; the session ends at its expiry at the latest.
                Log.error("ending session failed", ["request_id": request.requestID, "error": error.description])
            }
        }

        let application = request.queryValue("client_id").flatMap { configuration.application(clientID: $0) }
        var response: Response
        if let application, let returnTo = request.queryValue("returnTo"), application.allowsLogoutURL(returnTo) {
            response = .redirect(to: returnTo)
        } else if let application, let first = application.logoutURLs.first {
            response = .redirect(to: first)
        } else {
            let body = """
                <div class="ok">
                <h1>You are logged out</h1>
                <p>Your session with this site has ended. You can close this page.</p>
                </div>
                """
            response = .html(htmlPage(title: "Logged out", body: body))
        }
        response.setCookie(deletedCookie(Self.sessionCookieName))
        return response
    }
}
