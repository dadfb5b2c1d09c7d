import HTTPKit
import ProfileStore

/// A login that went through: what was stored and what Pinterest returned, for the test page.
struct LoginOutcome: Sendable {
    var record: UserRecord
    var account: JSON
    var grantedScopes: String
    var isFirstLogin: Bool
}

/// A login that failed at one step, with the catalogue entry to show and what Pinterest answered.
struct LoginFailure: Error, Sendable {
    enum Step: String, Sendable {
        case tokenExchange = "token exchange"
        case userAccount = "user account"
        case store = "store"
    }

    var step: Step
    var entry: CatalogueEntry
    var detail: String?
    var pinterest: PinterestFailure?
}

extension ConnectionHandlers {
    /// Exchanges the code, reads the user account and writes the profile under the sync setting.
    func completeLogin(code: String, requestID: String) -> Result<LoginOutcome, LoginFailure> {
        let grant: PinterestTokenGrant
        switch pinterest.exchange(code: code) {
        case .failure(let failure):
            logPinterestFailure(failure, requestID: requestID)
            return .failure(LoginFailure(step: .tokenExchange, entry: ErrorCatalogue.entry(for: failure), pinterest: failure))
        case .success(let value):
            grant = value
        }
        // Pinterest lists every scope the user ever granted; an empty list is taken as unknown, and
        // the user-account call then decides.
        if !grant.scope.isEmpty && !grant.scopes.contains("user_accounts:read") {
            Log.warning("login failed", ["request_id": requestID, "step": "token_exchange", "reason": "missing_scope"])
            return .failure(LoginFailure(step: .tokenExchange, entry: ErrorCatalogue.missingScope,
                                         detail: "Pinterest granted only: \(grant.scope)."))
        }

        let account: JSON
        switch pinterest.userAccount(accessToken: grant.accessToken) {
        case .failure(let failure):
            logPinterestFailure(failure, requestID: requestID)
            return .failure(LoginFailure(step: .userAccount, entry: ErrorCatalogue.entry(for: failure), pinterest: failure))
        case .success(let value):
            account = value
        }
        let userID: String
        switch ProfileNormalizer.userID(for: account) {
        case .failure(let failure):
            Log.warning("login failed", ["request_id": requestID, "step": "user_account", "reason": "\(failure)"])
            let entry = failure == .missingID ? ErrorCatalogue.accountWithoutID : ErrorCatalogue.invalidPinterestAnswer
            return .failure(LoginFailure(step: .userAccount, entry: entry, detail: nil))
        case .success(let value):
            userID = value
        }

        let now = clock()
        let tokens = PinterestTokens(
            accessToken: grant.accessToken,
            accessTokenExpiresAt: now + grant.expiresIn,
            refreshToken: grant.refreshToken,
            refreshTokenExpiresAt: grant.refreshTokenExpiresIn.map { now + $0 },
            scope: grant.scope)
        var isFirstLogin = false
        let record: UserRecord?
        do {
            record = try store.updateUser(id: userID) { existing in
                isFirstLogin = existing == nil
                return ProfileSync.merge(existing: existing, userID: userID, account: account, tokens: tokens,
                                         sync: configuration.syncUserProfile, now: now)
            }
        } catch {
            Log.error("storing profile failed", ["request_id": requestID, "user_id": userID, "error": "\(error)"])
            let entry = (error as? StoreError).map { if case .corruptRecord = $0 { ErrorCatalogue.corruptRecord } else { ErrorCatalogue.storeUnavailable } }
            return .failure(LoginFailure(step: .store, entry: entry ?? ErrorCatalogue.storeUnavailable))
        }
        guard let record else {
            return .failure(LoginFailure(step: .store, entry: ErrorCatalogue.storeUnavailable))
        }
        return .success(LoginOutcome(record: record, account: account, grantedScopes: grant.scope, isFirstLogin: isFirstLogin))
    }

    func logPinterestFailure(_ failure: PinterestFailure, requestID: String) {
        Log.warning("pinterest call failed", [
            "request_id": requestID,
            "step": failure.step,
            "kind": failure.kind.rawValue,
            "status": failure.status.map(String.init) ?? "none",
            "pinterest_code": failure.pinterestCode.map(String.init) ?? "none",
            "pinterest_request_id": failure.requestID ?? "none",
            "detail": failure.detail,
        ])
    }
}
