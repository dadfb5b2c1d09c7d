import Crypto
import HTTPKit

/// `POST /v5/oauth/token`: the authorization code and refresh token grants.
extension SandboxProvider {
    /// The body parameters the token endpoint reads. Each may appear at most once.
    static let tokenParameters = [
        "grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope", "continuous_refresh",
    ]

    /// Serves the token endpoint. The client authenticates with HTTP Basic only, as at Pinterest.
    func tokenResponse(_ request: Request, pinterestRequestID: String) -> Response {
        let log = APILog(endpoint: "token", request: request, pinterestRequestID: pinterestRequestID)

        let contentType = request.header("content-type")?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded"), let form = request.formBody() else {
            return log.rejected(PinterestError.invalidRequestBody("send an application/x-www-form-urlencoded body"),
                                reason: "not_form_body")
        }
        // Pinterest rejects client credentials in the body with 400 even when the values are right.
        guard form["client_id"] == nil && form["client_secret"] == nil else {
            return log.rejected(PinterestError.invalidRequestBody(), reason: "credentials_in_body")
        }
        guard let clientID = authenticatedClientID(request) else {
            return log.rejected(PinterestError.authenticationFailed(), reason: "client_authentication_failed")
        }
        for name in SandboxProvider.tokenParameters where form.count(of: name) > 1 {
            return log.rejected(PinterestError.invalidRequestBody("the parameter \(name) appears more than once"),
                                reason: "repeated_parameter", clientID: clientID)
        }

        switch form["grant_type"] {
        case "authorization_code":
            return exchangeAuthorizationCode(form, clientID: clientID, log: log)
        case "refresh_token":
            return refreshAccessToken(form, clientID: clientID, log: log)
        default:
            // NOTE: Pinterest's response to an unsupported grant type is unconfirmed.
            return log.rejected(PinterestError.invalidRequestBody("grant_type must be authorization_code or refresh_token"),
                                reason: "unsupported_grant_type", clientID: clientID)
        }
    }

    /// Returns the client id of a valid `Authorization: Basic` header, or `nil`.
    func authenticatedClientID(_ request: Request) -> String? {
        guard let header = request.header("authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Base64URL.decodeStandard(parts[1].trimmingCharacters(in: " ")),
            let credentials = String(validating: decoded, as: UTF8.self),
            let colon = credentials.firstIndex(of: ":")
        else { return nil }

        // RFC 6749 form-encodes the id and the secret inside Basic. Both are left undecoded because
        // app ids are digits and registration secrets contain only characters that encoding keeps.
        let clientID = String(credentials[..<colon])
        let secret = String(credentials[credentials.index(after: colon)...])
        let clientMatches = constantTimeEquals(Array(clientID.utf8), Array(registration.appID.utf8))
        let secretMatches = constantTimeEquals(Array(secret.utf8), Array(registration.appSecret.utf8))
        return clientMatches && secretMatches ? clientID : nil
    }

    private func exchangeAuthorizationCode(_ form: FormFields, clientID: String, log: APILog) -> Response {
        guard let code = form["code"], !code.isEmpty, let redirectURI = form["redirect_uri"], !redirectURI.isEmpty else {
            return log.rejected(PinterestError.invalidRequestBody("code and redirect_uri are required"),
                                reason: "missing_parameter", clientID: clientID)
        }

        // Taking the code first makes it single use even when the rest of the request is wrong.
        guard let grant = codes.take(code, now: now()) else {
            return log.rejected(PinterestError.invalidGrant(), reason: "invalid_code", clientID: clientID)
        }
        guard grant.clientID == clientID else {
            return log.rejected(PinterestError.invalidGrant(), reason: "code_issued_to_another_client", clientID: clientID)
        }
        guard grant.redirectURI.utf8.elementsEqual(redirectURI.utf8) else {
            return log.rejected(PinterestError.invalidGrant(), reason: "redirect_uri_mismatch", clientID: clientID)
        }
        if let challenge = grant.codeChallenge {
            guard let verifier = form["code_verifier"], SandboxProvider.isCodeVerifierSyntax(verifier),
                challenge.isSatisfied(by: verifier)
            else {
                return log.rejected(PinterestError.invalidGrant(), reason: "code_verifier_mismatch", clientID: clientID)
            }
        }

        let tokenGrant = TokenGrant(clientID: clientID, accountID: grant.accountID, scopes: grant.scopes)
        return issueTokens(access: tokenGrant, refreshScopes: grant.scopes, responseType: "authorization_code", log: log)
    }

    private func refreshAccessToken(_ form: FormFields, clientID: String, log: APILog) -> Response {
        guard let refreshToken = form["refresh_token"], !refreshToken.isEmpty else {
            return log.rejected(PinterestError.invalidRequestBody("refresh_token is required"),
                                reason: "missing_parameter", clientID: clientID)
        }
        guard let grant = refreshTokens.value(for: refreshToken, now: now()), grant.clientID == clientID else {
            return log.rejected(PinterestError.invalidGrant(), reason: "invalid_refresh_token", clientID: clientID)
        }

        // An optional scope narrows the new access token, while the refresh token keeps the whole grant.
        // NOTE: Pinterest's response to a scope beyond the grant is unconfirmed.
        var accessScopes = grant.scopes
        if let scopeText = form["scope"] {
            guard case .success(let requested) = PinterestScope.parse(scopeText),
                Set(requested).isSubset(of: grant.scopes)
            else {
                return log.rejected(PinterestError.invalidRequestBody("scope must be a subset of the granted scopes \(grant.scopes.joined(separator: " "))"),
                                    reason: "invalid_scope", clientID: clientID)
            }
            accessScopes = requested
        }

        // Rotation: the old refresh token dies here, and of two concurrent refreshes only one gets it.
        guard refreshTokens.take(refreshToken, now: now()) != nil else {
            return log.rejected(PinterestError.invalidGrant(), reason: "invalid_refresh_token", clientID: clientID)
        }

        let tokenGrant = TokenGrant(clientID: clientID, accountID: grant.accountID, scopes: accessScopes)
        return issueTokens(access: tokenGrant, refreshScopes: grant.scopes, responseType: "refresh_token", log: log)
    }

    /// Issues an access token and a rotated refresh token, or injects the account's token fault.
    private func issueTokens(access grant: TokenGrant, refreshScopes: [String], responseType: String,
                             log: APILog) -> Response {
        let fault = TestAccount.find(id: grant.accountID)?.fault
        switch fault {
        case .tokenSlow:
            log.faultInjected(.tokenSlow, userID: grant.accountID)
            sleep(registration.slowSeconds)
        case .tokenServerError:
            log.faultInjected(.tokenServerError, userID: grant.accountID)
            return PinterestError.serverError()
        case .tokenRateLimited:
            log.faultInjected(.tokenRateLimited, userID: grant.accountID)
            return PinterestError.rateLimited()
        case .tokenInvalidJSON:
            log.faultInjected(.tokenInvalidJSON, userID: grant.accountID)
            return PinterestError.invalidJSON(#"{"access_token": "pina_sandbox_truncated", "token_type": "bearer", "expires_in": 25"#)
        default:
            break
        }

        let now = now()
        let accessToken = "pina_" + SecureRandom.token()
        accessTokens.insert(grant, for: accessToken, expiresAt: now + SandboxProvider.accessTokenLifetime, now: now)
        var body: JSON = [
            "access_token": .string(accessToken),
            "token_type": "bearer",
            "expires_in": .int(SandboxProvider.accessTokenLifetime),
            "scope": .string(grant.scopes.joined(separator: " ")),
            "response_type": .string(responseType),
        ]

        if fault == .tokenMissingRefreshToken {
            log.faultInjected(.tokenMissingRefreshToken, userID: grant.accountID)
        } else {
            let refreshToken = "pinr_" + SecureRandom.token()
            let refreshGrant = TokenGrant(clientID: grant.clientID, accountID: grant.accountID, scopes: refreshScopes)
            let refreshExpiresAt = now + SandboxProvider.refreshTokenLifetime
            refreshTokens.insert(refreshGrant, for: refreshToken, expiresAt: refreshExpiresAt, now: now)
            body["refresh_token"] = .string(refreshToken)
            body["refresh_token_expires_in"] = .int(SandboxProvider.refreshTokenLifetime)
            body["refresh_token_expires_at"] = .int(refreshExpiresAt)
        }

        Log.info("sandbox tokens issued",
                 ["request_id": log.request.requestID, "pinterest_rid": log.pinterestRequestID, "client_id": grant.clientID,
                  "user_id": grant.accountID, "grant_type": responseType, "scope": grant.scopes.joined(separator: " ")])
        return .json(body)
    }
}

/// Logs the outcome of an API request with its ids, never its credentials, codes or tokens.
struct APILog {
    var endpoint: String
    var request: Request
    var pinterestRequestID: String

    func rejected(_ response: Response, reason: String, clientID: String = "") -> Response {
        Log.warning("sandbox API request rejected",
                    ["request_id": request.requestID, "pinterest_rid": pinterestRequestID, "endpoint": endpoint,
                     "client_id": clientID, "reason": reason, "status": String(response.status)])
        return response
    }

    func faultInjected(_ fault: Fault, userID: String) {
        Log.info("sandbox fault injected",
                 ["request_id": request.requestID, "pinterest_rid": pinterestRequestID, "endpoint": endpoint,
                  "user_id": userID, "fault": fault.rawValue])
    }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> String {
        var slice = self
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}
