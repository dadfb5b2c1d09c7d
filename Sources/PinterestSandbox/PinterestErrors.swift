import HTTPKit

/// The error responses of Pinterest's API, `{"code": int, "message": string}`.
enum PinterestError {
    /// 400, code 1. Pinterest's response to client credentials in the token request body.
    static func invalidRequestBody(_ detail: String? = nil) -> Response {
        let message = detail.map { "Invalid request body: \($0)" } ?? "Invalid request body"
        return SandboxProvider.pinterestError(status: 400, code: 1, message: message)
    }

    /// 401, code 2: bad client credentials at the token endpoint, or an invalid or expired access token.
    static func authenticationFailed() -> Response {
        SandboxProvider.pinterestError(status: 401, code: 2, message: "Authentication failed.")
    }

    /// Code 283: an invalid, expired or reused authorization code or refresh token.
    /// NOTE: the status of this error is unconfirmed. Public bug reports show 401, so the sandbox sends 401.
    static func invalidGrant() -> Response {
        SandboxProvider.pinterestError(status: 401, code: 283, message: "The authorization grant is invalid")
    }

    /// 401, code 3: the access token lacks a scope the endpoint requires.
    static func insufficientScope(_ scope: String) -> Response {
        SandboxProvider.pinterestError(
            status: 401, code: 3,
            message: "The access token does not have the scopes this operation requires. Authorize it with the \(scope) scope."
        )
    }

    /// 429. Pinterest sends its usual error body with 429 and documents no `Retry-After`.
    /// NOTE: the code and message of Pinterest's 429 body are unconfirmed, so these are a guess.
    static func rateLimited() -> Response {
        SandboxProvider.pinterestError(status: 429, code: 8, message: "You have exceeded your rate limit. Try again later.")
    }

    /// 500. NOTE: the body of Pinterest's 500 is unconfirmed, so the sandbox uses the usual error shape.
    static func serverError() -> Response {
        SandboxProvider.pinterestError(status: 500, code: 500, message: "Internal server error. Try again later.")
    }

    /// 200 with a JSON content type and a truncated JSON body.
    static func invalidJSON(_ truncatedBody: String) -> Response {
        var response = Response(status: 200, body: Array(truncatedBody.utf8))
        response.addHeader("Content-Type", "application/json")
        response.addHeader("Cache-Control", "no-store")
        return response
    }
}
