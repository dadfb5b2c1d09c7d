import HTTPKit
import ProfileStore

/// What Pinterest returned for a failed step, as the test report shows it. It never contains a
/// token, a code or a secret, only the status, Pinterest's error fields, its request id and a diagnosis.
struct PinterestAnswer: Sendable {
    /// The HTTP status, or nil when no HTTP response arrived.
    var status: Int?
    /// Pinterest's numeric `code`, or the `error` of a redirect.
    var code: String?
    var message: String?
    /// Pinterest's `x-pinterest-rid` header, which Pinterest's support requests.
    var requestID: String?
    var detail: String?

    init(status: Int?, code: String?, message: String?, requestID: String?, detail: String?) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.detail = detail
    }

    init(_ failure: PinterestFailure) {
        self.init(status: failure.status, code: failure.pinterestCode.map(String.init), message: failure.pinterestMessage,
                  requestID: failure.requestID, detail: failure.detail)
    }
}

/// The result of one test login, rendered as a page for the operator or as JSON for scripts.
struct TestReport: Sendable {
    /// The steps of a login in the order they run.
    enum Step: String, Sendable, CaseIterable {
        /// Recording the login state and redirecting to Pinterest.
        case authorize
        /// The user's decision on Pinterest's consent page.
        case consent
        case tokenExchange = "token_exchange"
        case userAccount = "user_account"
        case store

        init(_ step: LoginFailure.Step) {
            switch step {
            case .tokenExchange: self = .tokenExchange
            case .userAccount: self = .userAccount
            case .store: self = .store
            }
        }

        var title: String {
            switch self {
            case .authorize: "Authorize"
            case .consent: "Consent"
            case .tokenExchange: "Token exchange"
            case .userAccount: "User account"
            case .store: "Store"
            }
        }

        var explanation: String {
            switch self {
            case .authorize: "The connection records a one-time state and sends the browser to Pinterest."
            case .consent: "The user allows the app on Pinterest's consent page and Pinterest sends the browser back with an authorization code."
            case .tokenExchange: "The connection trades the authorization code for an access token at Pinterest's token endpoint."
            case .userAccount: "The connection reads the Pinterest user account with the access token."
            case .store: "The connection writes the normalized profile to the profile store."
            }
        }
    }

    enum Outcome: Sendable {
        case passed(LoginOutcome)
        case failed(step: Step, entry: CatalogueEntry, detail: String?, pinterest: PinterestAnswer?)
    }

    var outcome: Outcome

    /// Returns whether a step passed, failed or was not reached, as the report lists them.
    func result(of step: Step) -> String {
        guard case .failed(let failedStep, _, _, _) = outcome else { return "passed" }
        let steps = Step.allCases
        let index = steps.firstIndex(of: step)!
        let failedIndex = steps.firstIndex(of: failedStep)!
        if index < failedIndex { return "passed" }
        return index == failedIndex ? "failed" : "not reached"
    }

    /// Renders the report as JSON or as a page, by the request's `Accept` header. Both have status
    /// 200, because the test ran and the outcome is in the body.
    func response(for request: Request, configuration: Configuration) -> Response {
        if request.prefersJSON { return .json(json(configuration: configuration)) }
        return .html(page(configuration: configuration))
    }

    func json(configuration: Configuration) -> JSON {
        var object: [String: JSON] = [
            "steps": .array(Step.allCases.map { ["step": .string($0.rawValue), "result": .string(result(of: $0))] }),
            "redirect_uri": .string(configuration.redirectURI),
            "scopes_requested": .array(configuration.pinterest.scopes.map(JSON.string)),
        ]
        switch outcome {
        case .passed(let login):
            object["result"] = "passed"
            object["user_id"] = .string(login.record.userID)
            object["first_login"] = .bool(login.isFirstLogin)
            object["profile"] = login.record.profile
            object["pinterest_account"] = login.account
            object["scopes_granted"] = .array(login.grantedScopes.split(separator: " ").map { .string(String($0)) })
            if let tokens = login.record.tokens {
                object["pinterest_tokens"] = [
                    "access_token_expires_at": .string(Clock.iso8601(tokens.accessTokenExpiresAt)),
                    "refresh_token": .bool(tokens.refreshToken != nil),
                ]
            }
        case .failed(let step, let entry, let detail, let pinterest):
            object["result"] = "failed"
            object["step"] = .string(step.rawValue)
            object["error"] = .string(entry.code)
            object["status"] = .int(Int64(entry.status))
            object["error_description"] = .string(detail.map { "\(entry.message) \($0)" } ?? entry.message)
            object["hint"] = .string(entry.hint)
            if let pinterest {
                var answer: [String: JSON] = [:]
                answer["status"] = pinterest.status.map { .int(Int64($0)) } ?? .null
                answer["code"] = pinterest.code.map(JSON.string) ?? .null
                answer["message"] = pinterest.message.map(JSON.string) ?? .null
                answer["request_id"] = pinterest.requestID.map(JSON.string) ?? .null
                answer["detail"] = pinterest.detail.map(JSON.string) ?? .null
                object["pinterest"] = .object(answer)
            }
        }
        return .object(object)
    }
}
