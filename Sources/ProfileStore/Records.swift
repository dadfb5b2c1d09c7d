import HTTPKit

/// The OAuth 2.0 tokens Pinterest issued to one user, plain in memory and sealed with AES-256-GCM in
/// the store's files.
public struct PinterestTokens: Sendable, Equatable {
    public var accessToken: String
    /// Unix seconds.
    public var accessTokenExpiresAt: Int64
    public var refreshToken: String?
    /// Unix seconds.
    public var refreshTokenExpiresAt: Int64?
    /// Space-separated scopes, as Pinterest returned them.
    public var scope: String

    public init(
        accessToken: String,
        accessTokenExpiresAt: Int64,
        refreshToken: String?,
        refreshTokenExpiresAt: Int64?,
        scope: String
    ) {
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshToken = refreshToken
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.scope = scope
    }
}

/// One user: the normalized profile and the Pinterest tokens.
public struct UserRecord: Sendable, Equatable {
    /// The user id, such as `pinterest|2783136121146311751`.
    public var userID: String
    /// A JSON object: `user_id`, `nickname`, `name`, `picture`, `identities`, `created_at`,
    /// `updated_at`, `last_login`, `logins_count`, `user_metadata`, `app_metadata` and the Pinterest
    /// attributes.
    public var profile: JSON
    public var tokens: PinterestTokens?

    public init(userID: String, profile: JSON, tokens: PinterestTokens?) {
        self.userID = userID
        self.profile = profile
        self.tokens = tokens
    }
}

/// A signed-in browser session of one user at one client application.
public struct SessionRecord: Sendable, Equatable {
    /// The random, URL-safe session id from the session cookie. The store keeps only its SHA-256.
    public var id: String
    public var userID: String
    public var clientID: String
    /// Unix seconds.
    public var createdAt: Int64
    /// Unix seconds; the session is expired from this second on.
    public var expiresAt: Int64

    public init(id: String, userID: String, clientID: String, createdAt: Int64, expiresAt: Int64) {
        self.id = id
        self.userID = userID
        self.clientID = clientID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One pending login between the redirect to Pinterest and the callback, which consumes it once.
public struct LoginState: Sendable, Equatable {
    /// The random OAuth `state` sent to Pinterest. The store keeps only its SHA-256.
    public var id: String
    public var clientID: String
    public var redirectURI: String
    /// The client application's own `state`, returned to it unchanged.
    public var clientState: String?
    /// A hash that binds the login to the browser's transaction cookie.
    public var browserBinding: String
    /// Unix seconds.
    public var createdAt: Int64
    /// Unix seconds; the login state is expired from this second on.
    public var expiresAt: Int64

    public init(
        id: String,
        clientID: String,
        redirectURI: String,
        clientState: String?,
        browserBinding: String,
        createdAt: Int64,
        expiresAt: Int64
    ) {
        self.id = id
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.clientState = clientState
        self.browserBinding = browserBinding
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
