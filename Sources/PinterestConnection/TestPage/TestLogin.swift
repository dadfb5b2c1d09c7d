import Crypto
import HTTPKit
import ProfileStore

/// The marks of a login started by the test page rather than by an application.
///
/// Pinterest sends every login back to the one registered redirect URI, `{public_url}/login/callback`,
/// so a test login goes through the same callback as a real one. Its login state carries a
/// redirect URI that is not an http or https URL. The configuration loader accepts only http and
/// https callback URLs, so no application's login can carry it. The callback renders the report
/// for such a login and never redirects anywhere, so the marker cannot become an open redirect.
enum TestLogin {
    static let clientID = "pinterest-connection-test-page"
    static let redirectMarker = "internal:test-page"
    /// The HTTP Basic user name the test page accepts, with `test_page.password` as password.
    static let operatorUserName = "operator"
}

extension LoginState {
    /// Whether the test page started this login; only `GET /test/start` creates such a state.
    var isTestLogin: Bool {
        clientID == TestLogin.clientID && redirectURI == TestLogin.redirectMarker
    }
}

extension ConnectionHandlers {
    /// `GET /test`: what the test login will use, and the link that starts it.
    func testPage(_ request: Request) -> Response {
        if let denial = operatorAccessDenial(request) { return denial }
        return TestReport.startPage(configuration: configuration, request: request)
    }

    /// `GET /test/start`: starts a login like `/authorize` does, for the built-in test client.
    func startTestLogin(_ request: Request) -> Response {
        if let denial = operatorAccessDenial(request) { return denial }

        switch beginLogin(request, clientID: TestLogin.clientID, redirectURI: TestLogin.redirectMarker, clientState: nil) {
        case .failure(let error):
            Log.error("test login failed", ["request_id": request.requestID, "step": "authorize", "error": error.description])
            let report = TestReport(outcome: .failed(step: .authorize, entry: ErrorCatalogue.storeUnavailable,
                                                     detail: "Saving the login state failed: \(error.description)", pinterest: nil))
            return report.response(for: request, configuration: configuration)
        case .success(let response):
            Log.info("test login started", ["request_id": request.requestID])
            return response
        }
    }

    /// Completes a test login at `/login/callback` and renders the report instead of redirecting.
    /// The transaction cookie already proved that this browser started the login at `/test/start`.
    func testLoginResult(_ request: Request, query: FormFields) -> Response {
        let report: TestReport
        if let code = query["code"], !code.isEmpty, query["error"] == nil {
            switch completeLogin(code: code, requestID: request.requestID) {
            case .success(let outcome):
                report = TestReport(outcome: .passed(outcome))
            case .failure(let failure):
                report = TestReport(outcome: .failed(step: TestReport.Step(failure.step), entry: failure.entry,
                                                     detail: failure.detail, pinterest: failure.pinterest.map(PinterestAnswer.init)))
            }
        } else {
            // Pinterest's denial is undocumented, so its error fields are shown as they came.
            let answer = PinterestAnswer(status: nil, code: query["error"].map { String($0.prefix(100)) },
                                         message: query["error_description"].map { String($0.prefix(300)) },
                                         requestID: nil, detail: "Pinterest sent the browser back without an authorization code.")
            report = TestReport(outcome: .failed(step: .consent, entry: ErrorCatalogue.accessDenied, detail: nil, pinterest: answer))
        }

        switch report.outcome {
        case .passed(let outcome):
            Log.info("test login completed", ["request_id": request.requestID, "user_id": outcome.record.userID])
        case .failed(let step, let entry, _, _):
            Log.warning("test login failed", ["request_id": request.requestID, "step": step.rawValue, "error": entry.code])
        }
        return report.response(for: request, configuration: configuration)
    }

    /// Returns the error response when the test page is off or the operator password is missing or wrong,
    /// or nil when the request may go on. Without a password (sandbox mode only, which the loader
    /// enforces) the page is open.
    func operatorAccessDenial(_ request: Request) -> Response? {
        guard configuration.testPage.enabled else {
            return ErrorCatalogue.testPageDisabled.error().response(for: request)
        }
        guard let password = configuration.testPage.password else { return nil }

        // NOTE: Failed password attempts are logged but not rate-limited. The loader requires 12
        // characters, and an operator should turn the page off after testing.

        if let credentials = Self.basicCredentials(request),
            credentials.user == TestLogin.operatorUserName,
            constantTimeEquals(sha256(Array(credentials.password.utf8)), sha256(Array(password.utf8)))
        {
            return nil
        }
        if request.header("authorization") != nil {
            Log.warning("test page authentication failed", ["request_id": request.requestID])
        }
        var response = ErrorCatalogue.operatorLoginRequired.error().response(for: request)
        response.addHeader("WWW-Authenticate", "Basic realm=\"pinterest-connection test page\", charset=\"UTF-8\"")
        return response
    }

    /// Returns the user name and password of an `Authorization: Basic` header, or nil.
    static func basicCredentials(_ request: Request) -> (user: String, password: String)? {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("basic "),
            let decoded = Base64URL.decodeStandard(String(header.dropFirst(6)).trimmingCharacters()),
            let text = String(validating: decoded, as: UTF8.self),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
