import Crypto
import HTTPKit
import ProfileStore

/// The Pinterest connection as one request handler: a router over the login flow, sessions,
/// profiles and the applications' user API. One instance serves every worker thread.
public final class ConnectionService: Sendable {
    public let configuration: Configuration
    let handlers: ConnectionHandlers
    private let router: Router

    public init(configuration: Configuration, store: any ConnectionStore,
                clock: @escaping @Sendable () -> Int64 = Clock.unixTime) {
        let handlers = ConnectionHandlers(configuration: configuration, store: store, clock: clock)
        self.configuration = configuration
        self.handlers = handlers

        var router = Router()
        router.add("GET", "/healthz") { handlers.health($0) }
        router.add("GET", "/authorize") { handlers.authorize($0) }
        router.add("GET", "/login/callback") { handlers.callback($0) }
        router.add("GET", "/profile") { handlers.profile($0) }
        router.add("GET", "/auth") { handlers.authRequest($0) }
        router.add("GET", "/logout") { handlers.logout($0) }
        router.add("GET", "/test") { handlers.testPage($0) }
        router.add("GET", "/test/start") { handlers.startTestLogin($0) }
        // GETs with side effects answer HEAD without them: a link previewer's HEAD must not start
        // a login, use up a state or end a session.
        for path in ["/authorize", "/login/callback", "/logout", "/test/start"] {
            router.add("HEAD", path) { _ in Response(status: 204) }
        }
        router.add("GET", "/api/users") { handlers.listUsers($0) }
        router.add("GET", "/api/users/{id}") { handlers.getUser($0, id: $1["id"] ?? "") }
        router.add("PATCH", "/api/users/{id}") { handlers.patchUser($0, id: $1["id"] ?? "") }
        router.add("DELETE", "/api/users/{id}") { handlers.deleteUser($0, id: $1["id"] ?? "") }
        self.router = router
    }

    public func handle(_ request: Request) -> Response {
        router.handle(request)
    }

    /// Removes expired sessions and login states; the responder calls it periodically.
    public func purgeExpired() {
        handlers.purgeExpired()
    }
}

/// The state every handler shares, and the helpers they have in common. The handlers themselves
/// live in extensions, one file per part of the flow.
final class ConnectionHandlers: Sendable {
    let configuration: Configuration
    let store: any ConnectionStore
    let pinterest: PinterestClient
    let signer: CookieSigner
    let clock: @Sendable () -> Int64

    /// The session cookie's name. `__Host-` would pin it to the host, but that prefix forbids a
    /// `Path`, and the cookie must stay within the mount point when the service shares its host.
    static let sessionCookieName = "pc_session"
    /// Transaction cookies are named by a prefix of their state, so parallel logins in several tabs
    /// each keep their own.
    static let transactionCookiePrefix = "pc_tx_"
    /// Pending logins one browser may keep; `/authorize` drops the oldest beyond this, so abandoned
    /// logins never pile up cookies up to the browser's header limit.
    static let maximumPendingLogins = 5

    init(configuration: Configuration, store: any ConnectionStore, clock: @escaping @Sendable () -> Int64) {
        self.configuration = configuration
        self.store = store
        self.pinterest = PinterestClient(settings: configuration.pinterest, redirectURI: configuration.redirectURI)
        self.signer = CookieSigner(keys: configuration.session.keys)
        self.clock = clock
    }

    func cookie(_ name: String, value: String, maxAge: Int64) -> SetCookie {
        SetCookie(name: name, value: value, path: configuration.cookiePath, maxAge: Int(maxAge),
                  httpOnly: true, secure: configuration.usesHTTPS, sameSite: .lax)
    }

    func deletedCookie(_ name: String) -> SetCookie {
        SetCookie.deleting(name, path: configuration.cookiePath, secure: configuration.usesHTTPS)
    }

    /// Appends parameters to a URL that may already have a query.
    static func url(_ base: String, adding fields: FormFields) -> String {
        guard !fields.items.isEmpty else { return base }
        return base + (base.contains("?") ? "&" : "?") + fields.encoded
    }

    func health(_ request: Request) -> Response {
        do {
            try store.checkWritable()
            return .json(["status": "ok"])
        } catch {
            Log.error("health check failed", ["request_id": request.requestID, "error": error.description])
            return ErrorCatalogue.storeUnavailable.error().response(for: request)
        }
    }

    func purgeExpired() {
        do {
            let removed = try store.purgeExpired(now: clock())
            if removed > 0 { Log.info("purged expired sessions and logins", ["count": String(removed)]) }
        } catch {
            Log.error("purging expired sessions failed", ["error": error.description])
        }
    }
}
