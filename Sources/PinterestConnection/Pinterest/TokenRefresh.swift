import HTTPKit
import ProfileStore

/// Why an operator's token refresh failed.
public struct TokenRefreshError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension ConnectionService {
    /// Refreshes a user's Pinterest tokens with the refresh grant and stores the rotated ones.
    /// The record stays locked during the call, so a login of the same user waits for it.
    public func refreshPinterestTokens(userID: String) -> Result<String, TokenRefreshError> {
        let handlers = self.handlers
        var outcome: Result<String, TokenRefreshError> = .failure(TokenRefreshError(description: "user \(userID) not found; pass the user_id shown by /profile, such as pinterest|2783136121146311751"))
        do {
            _ = try handlers.store.updateUser(id: userID) { existing in
                guard var record = existing else { return nil }
                guard let refreshToken = record.tokens?.refreshToken else {
                    outcome = .failure(TokenRefreshError(description: "user \(userID) has no Pinterest refresh token; the user must log in again"))
                    return nil
                }
                switch handlers.pinterest.refresh(refreshToken: refreshToken) {
                case .failure(let failure):
                    handlers.logPinterestFailure(failure, requestID: "refresh-token")
                    let reason = failure.kind == .invalidGrant
                        ? "Pinterest revoked the grant (the user changed their password or removed the app); the user must log in again"
                        : "\(ErrorCatalogue.entry(for: failure).message) \(failure.detail)"
                    outcome = .failure(TokenRefreshError(description: "refreshing the tokens of \(userID) failed: \(reason)"))
                    return nil
                case .success(let grant):
                    let now = handlers.clock()
                    record.tokens = PinterestTokens(
                        accessToken: grant.accessToken,
                        accessTokenExpiresAt: now + grant.expiresIn,
                        refreshToken: grant.refreshToken ?? refreshToken,
                        refreshTokenExpiresAt: grant.refreshTokenExpiresIn.map { now + $0 } ?? record.tokens?.refreshTokenExpiresAt,
                        scope: grant.scope.isEmpty ? record.tokens?.scope ?? "" : grant.scope)
                    outcome = .success("refreshed the Pinterest tokens of \(userID); the access token now expires at \(Clock.iso8601(now + grant.expiresIn))")
                    return record
                }
            }
        } catch {
            return .failure(TokenRefreshError(description: "the store failed: \(error)"))
        }
        return outcome
    }
}
