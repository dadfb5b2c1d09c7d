import HTTPKit

/// Every error the connection can produce, each with a stable code, an HTTP status, a plain message
/// and a hint. Codes never change once published: applications and operators search for them.
/// `oauthError` is the RFC 6749 error sent to the application when the error ends a login.
public struct CatalogueEntry: Error, Sendable, Equatable {
    public var code: String
    public var status: Int
    public var message: String
    public var hint: String
    public var oauthError: String

    /// The entry as one JSON object, as `pinterest-connection catalogue` prints it.
    public var json: JSON {
        ["code": .string(code), "status": .int(Int64(status)), "message": .string(message), "hint": .string(hint),
         "oauth_error": .string(oauthError)]
    }

    /// The entry as an `HTTPError`, optionally with a detail appended to the message.
    public func error(detail: String? = nil) -> HTTPError {
        HTTPError(status: status, code: code, message: detail.map { "\(message) \($0)" } ?? message, hint: hint)
    }
}

public enum ErrorCatalogue {
    // Before any redirect: the application cannot be trusted with one, so these show a page.
    public static let unknownClient = CatalogueEntry(
        code: "unknown_client", status: 400,
        message: "No application with this client_id uses this connection.",
        hint: "Check the client_id the application sends to /authorize against the applications in the configuration.",
        oauthError: "unauthorized_client")
    public static let connectionDisabled = CatalogueEntry(
        code: "connection_disabled", status: 403,
        message: "The Pinterest connection is not enabled for this application.",
        hint: "Set pinterest_enabled to true for this application in the configuration and restart the service.",
        oauthError: "unauthorized_client")
    public static let callbackURLNotAllowed = CatalogueEntry(
        code: "callback_url_not_allowed", status: 400,
        message: "The redirect_uri is not one of the application's allowed callback URLs.",
        hint: "Add the exact URL, byte for byte (scheme, host, port, path and trailing slash), to the application's callbacks, or fix the URL the application sends.",
        oauthError: "invalid_request")
    public static let invalidRequest = CatalogueEntry(
        code: "invalid_request", status: 400,
        message: "The request is missing a parameter or has an invalid one.",
        hint: "Send response_type=code, client_id, redirect_uri and optionally state, each once.",
        oauthError: "invalid_request")
    public static let unsupportedResponseType = CatalogueEntry(
        code: "unsupported_response_type", status: 400,
        message: "Only response_type=code is supported.",
        hint: "Send response_type=code in the /authorize request.",
        oauthError: "unsupported_response_type")
    public static let unknownConnection = CatalogueEntry(
        code: "unknown_connection", status: 400,
        message: "This service only offers the pinterest connection.",
        hint: "Send connection=pinterest or leave the connection parameter out.",
        oauthError: "invalid_request")

    // At the callback.
    public static let invalidState = CatalogueEntry(
        code: "invalid_state", status: 400,
        message: "This login cannot be completed: its state is unknown, already used, expired or from another browser.",
        hint: "Start the login again from the application. Do not reuse or bookmark the callback URL, and finish the login within the time limit in the same browser.",
        oauthError: "invalid_request")
    public static let cookiesBlocked = CatalogueEntry(
        code: "cookies_blocked", status: 400,
        message: "The browser sent no login cookie back, so the login cannot be tied to it.",
        hint: "Allow cookies for this site, and serve the service on the same host and scheme as its public_url. Then start the login again.",
        oauthError: "invalid_request")
    public static let accessDenied = CatalogueEntry(
        code: "access_denied", status: 403,
        message: "The user did not allow the application to use their Pinterest account.",
        hint: "The user can start the login again and choose Allow on Pinterest's consent page.",
        oauthError: "access_denied")
    public static let redirectURINotRegistered = CatalogueEntry(
        code: "redirect_uri_not_registered", status: 400,
        message: "Pinterest does not know this service's redirect URI.",
        hint: "Add the redirect URI shown by `pinterest-connection check` ({public_url}/login/callback) to your app's redirect URIs at developers.pinterest.com.",
        oauthError: "server_error")
    public static let invalidClientSecret = CatalogueEntry(
        code: "pinterest_invalid_client", status: 502,
        message: "Pinterest rejected the app ID or app secret.",
        hint: "Copy the App ID and App secret key again from developers.pinterest.com into pinterest.client_id and pinterest.client_secret, then restart.",
        oauthError: "server_error")
    public static let invalidGrant = CatalogueEntry(
        code: "pinterest_invalid_grant", status: 400,
        message: "Pinterest rejected the authorization code: it expired or was already used.",
        hint: "Start the login again; complete it within a few minutes.",
        oauthError: "access_denied")
    public static let missingScope = CatalogueEntry(
        code: "missing_scope", status: 403,
        message: "Pinterest did not grant the user_accounts:read scope, which login needs.",
        hint: "Keep user_accounts:read in pinterest.scopes and make sure your Pinterest app has access to it; the user must allow it on the consent page.",
        oauthError: "access_denied")
    public static let rateLimited = CatalogueEntry(
        code: "pinterest_rate_limited", status: 503,
        message: "Pinterest's rate limit for this app was reached.",
        hint: "Wait and try again. Trial apps get 1,000 requests a day; request Standard access at developers.pinterest.com for more.",
        oauthError: "temporarily_unavailable")
    public static let pinterestUnavailable = CatalogueEntry(
        code: "pinterest_unavailable", status: 503,
        message: "Pinterest could not be reached or did not respond in time.",
        hint: "Try again shortly. If it persists, check that this host can reach api.pinterest.com over https (DNS, firewall, proxy) and the pinterest timeouts.",
        oauthError: "temporarily_unavailable")
    public static let invalidPinterestAnswer = CatalogueEntry(
        code: "pinterest_invalid_response", status: 502,
        message: "Pinterest returned a response the service cannot use.",
        hint: "Try again. If it persists, check pinterest.api_url points at https://api.pinterest.com and report the request id shown here.",
        oauthError: "server_error")
    public static let accountWithoutID = CatalogueEntry(
        code: "pinterest_account_without_id", status: 502,
        message: "Pinterest returned the user account without its id, so the user cannot be identified safely.",
        hint: "Try again later. The service never falls back to the username, which users can change.",
        oauthError: "server_error")
    public static let storeUnavailable = CatalogueEntry(
        code: "store_unavailable", status: 503,
        message: "The profile store cannot be written.",
        hint: "Check that store.directory exists, is writable by the service's user and that the disk is not full; `pinterest-connection check` tells which.",
        oauthError: "server_error")

    // Sessions and profiles.
    public static let loginRequired = CatalogueEntry(
        code: "login_required", status: 401,
        message: "No valid session: the user is not logged in.",
        hint: "Send the user to /authorize to log in.",
        oauthError: "login_required")
    public static let sessionExpired = CatalogueEntry(
        code: "session_expired", status: 401,
        message: "The session has expired or was ended.",
        hint: "Send the user to /authorize to log in again.",
        oauthError: "login_required")

    // The applications' user API.
    public static let invalidClientCredentials = CatalogueEntry(
        code: "invalid_client", status: 401,
        message: "The application's client ID or client secret is wrong.",
        hint: "Send HTTP Basic credentials: the application's client_id as user name and its client_secret as password.",
        oauthError: "invalid_client")
    public static let applicationDisabled = CatalogueEntry(
        code: "application_disabled", status: 403,
        message: "The Pinterest connection is not enabled for this application.",
        hint: "Set pinterest_enabled to true for this application in the configuration and restart the service.",
        oauthError: "unauthorized_client")
    public static let userNotFound = CatalogueEntry(
        code: "user_not_found", status: 404,
        message: "No user has this user_id.",
        hint: "Use the user_id from /profile or from the user list, for example pinterest|2783136121146311751.",
        oauthError: "invalid_request")
    public static let invalidBody = CatalogueEntry(
        code: "invalid_body", status: 400,
        message: "The JSON body is invalid.",
        hint: "Send a JSON object with only user_metadata, app_metadata (objects) and, with sync off, name, nickname and picture (strings).",
        oauthError: "invalid_request")
    public static let syncOverwritesAttribute = CatalogueEntry(
        code: "sync_overwrites_attribute", status: 400,
        message: "With profile sync on, Pinterest overwrites name, nickname and picture at every login, so they cannot be edited.",
        hint: "Set sync_user_profile to false in the configuration to edit these attributes, or edit user_metadata instead.",
        oauthError: "invalid_request")
    public static let corruptRecord = CatalogueEntry(
        code: "corrupt_record", status: 500,
        message: "The user's stored record cannot be read.",
        hint: "An operator must inspect the file named in the service log; the service leaves it untouched.",
        oauthError: "server_error")
    public static let testPageDisabled = CatalogueEntry(
        code: "test_page_disabled", status: 404,
        message: "The test page is turned off.",
        hint: "Set test_page.enabled to true and test_page.password in the configuration to use it.",
        oauthError: "invalid_request")
    public static let operatorLoginRequired = CatalogueEntry(
        code: "operator_login_required", status: 401,
        message: "The test page is for operators only.",
        hint: "Log in with user name operator and the test_page.password from the configuration.",
        oauthError: "login_required")

    /// Every entry, for the README's troubleshooting table and for tests.
    public static let all: [CatalogueEntry] = [
        unknownClient, connectionDisabled, callbackURLNotAllowed, invalidRequest, unsupportedResponseType,
        unknownConnection, invalidState, cookiesBlocked, accessDenied, redirectURINotRegistered,
        invalidClientSecret, invalidGrant, missingScope, rateLimited, pinterestUnavailable,
        invalidPinterestAnswer, accountWithoutID, storeUnavailable, loginRequired, sessionExpired,
        invalidClientCredentials, applicationDisabled, userNotFound, invalidBody, syncOverwritesAttribute,
        corruptRecord, testPageDisabled, operatorLoginRequired,
    ]

    /// The catalogue entry for a failed call to Pinterest.
    public static func entry(for failure: PinterestFailure) -> CatalogueEntry {
        switch failure.kind {
        case .unreachable, .timedOut, .serverError: pinterestUnavailable
        case .rateLimited: rateLimited
        case .invalidClient: invalidClientSecret
        case .invalidGrant: invalidGrant
        case .missingScope: missingScope
        case .tokenRejected, .rejected, .invalidAnswer: invalidPinterestAnswer
        case .accountWithoutID: accountWithoutID
        }
    }
}
