import HTTPKit

/// `GET /v5/user_account`: the profile of the account an access token belongs to.
extension SandboxProvider {
    /// The size the huge-body fault aims for: larger than any profile, so a client without a
    /// response size limit reads all of it.
    static let hugeBodyBytes = 8 * 1024 * 1024

    func userAccountResponse(_ request: Request, pinterestRequestID: String) -> Response {
        let log = APILog(endpoint: "user_account", request: request, pinterestRequestID: pinterestRequestID)

        guard let accessToken = SandboxProvider.bearerToken(request) else {
            return log.rejected(PinterestError.authenticationFailed(), reason: "missing_bearer_token")
        }
        guard let grant = accessTokens.value(for: accessToken, now: now()),
            let account = TestAccount.find(id: grant.accountID)
        else {
            return log.rejected(PinterestError.authenticationFailed(), reason: "invalid_access_token")
        }

        if account.fault == .userAccountTokenRejected {
            log.faultInjected(.userAccountTokenRejected, userID: account.id)
            return PinterestError.authenticationFailed()
        }
        guard grant.scopes.contains(PinterestScope.userAccountsRead) else {
            return log.rejected(PinterestError.insufficientScope(PinterestScope.userAccountsRead),
                                reason: "missing_scope", clientID: grant.clientID)
        }

        if let fault = account.fault {
            log.faultInjected(fault, userID: account.id)
        }
        switch account.fault {
        case .userAccountSlow:
            sleep(registration.slowSeconds)
        case .userAccountServerError:
            return PinterestError.serverError()
        case .userAccountRateLimited:
            return PinterestError.rateLimited()
        case .userAccountInvalidJSON:
            return PinterestError.invalidJSON(#"{"id": "\#(account.id)", "username": "\#(account.username)", "account_type": "PIN"#)
        case .userAccountMissingID:
            var profile = account.profile
            profile["id"] = nil
            return .json(profile)
        case .userAccountHugeBody:
            var response = Response(status: 200, body: SandboxProvider.hugeProfileBody)
            response.addHeader("Content-Type", "application/json")
            response.addHeader("Cache-Control", "no-store")
            return response
        default:
            break
        }

        Log.info("sandbox user account served",
                 ["request_id": request.requestID, "pinterest_rid": pinterestRequestID,
                  "client_id": grant.clientID, "user_id": account.id])
        return .json(account.profile)
    }

    /// Extracts the token of an `Authorization: Bearer` header, whose scheme is case-insensitive (RFC 6750).
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.header("authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: " ")
        return token.isEmpty ? nil : token
    }

    /// The huge-body fault's response: the account's profile with an `about` of about 8 MiB. Built
    /// once, on first use.
    static let hugeProfileBody: [UInt8] = {
        let sentence = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
        var profile = TestAccount.all.first { $0.fault == .userAccountHugeBody }?.profile ?? [:]
        profile["about"] = .string(String(repeating: sentence, count: hugeBodyBytes / sentence.utf8.count))
        return Array(profile.serialized().utf8)
    }()
}
