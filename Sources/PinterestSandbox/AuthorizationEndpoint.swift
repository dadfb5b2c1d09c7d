import Crypto
import HTTPKit

/// The authorization page and the consent form's POST.
///
/// Pinterest shows its own error page, and does not redirect, for an unknown client or a redirect
/// URI that is not registered. NOTE: what Pinterest does with other invalid parameters (response
/// type, scope, PKCE) is unconfirmed. The sandbox shows an error page for them too, because a
/// redirect carrying `error=invalid_scope` would hide the mistake from the developer.
extension SandboxProvider {
    /// The longest `state` accepted. Pinterest documents no limit, so this one is a guess that no
    /// real client reaches. It bounds the memory of each pending consent.
    static let maximumStateBytes = 2048

    /// The query parameters the authorization page reads. Each may appear at most once.
    static let authorizationParameters = [
        "client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method",
    ]

    /// Serves `GET /oauth/`: validates the authorization request and shows the consent page.
    func authorizationPage(_ request: Request, pinterestRequestID: String) -> Response {
        let log = RejectionLog(request: request, pinterestRequestID: pinterestRequestID)
        guard let query = request.query else {
            return log.page(reason: "malformed_query", title: "Invalid authorization request",
                            message: "The query string is not valid percent-encoded UTF-8.",
                            hint: "Encode each parameter with percent-encoding.")
        }
        for name in SandboxProvider.authorizationParameters where query.count(of: name) > 1 {
            return log.page(reason: "repeated_parameter", title: "Invalid authorization request",
                            message: "The parameter \(name) appears more than once.",
                            hint: "Send each parameter once.")
        }

        let clientID = query["client_id"] ?? ""
        guard clientID == registration.appID else {
            return log.page(reason: "unknown_client", title: "Invalid client",
                            message: clientID.isEmpty ? "The client_id parameter is missing."
                                : "No app with the client_id \(clientID) is registered.",
                            hint: "Send the app id of the sandbox registration file as client_id.")
        }

        // Pinterest's v1-era error for this case was code 7, "does not match any of the registered
        // redirect URIs", and the page keeps that code and wording.
        let redirectURI = query["redirect_uri"] ?? ""
        guard registration.redirectURIs.contains(where: { $0.utf8.elementsEqual(redirectURI.utf8) }) else {
            return log.page(reason: "unregistered_redirect_uri", title: "Invalid redirect URI",
                            message: redirectURI.isEmpty ? "Error code 7: the redirect_uri parameter is missing, so it does not match any of the registered redirect URIs."
                                : "Error code 7: the redirect URI \(redirectURI) does not match any of the registered redirect URIs.",
                            hint: "Send a redirect_uri equal byte for byte to one in redirect_uris of the sandbox registration file, or add it there.",
                            clientID: clientID)
        }

        guard query["response_type"] == "code" else {
            return log.page(reason: "unsupported_response_type", title: "Invalid authorization request",
                            message: "The response_type must be code, not \(query["response_type"] ?? "missing").",
                            hint: "Send response_type=code: Pinterest supports only the authorization code flow.",
                            clientID: clientID)
        }

        let scopes: [String]
        switch PinterestScope.parse(query["scope"] ?? "") {
        case .success(let parsed):
            scopes = parsed
        case .failure(let error):
            let message = switch error {
            case .missing: "The scope parameter is missing or empty."
            case .unknown(let name): "The scope \(name) does not exist in Pinterest API v5."
            case .version1(let name): "The scope \(name) belongs to the retired v1 API."
            }
            return log.page(reason: "invalid_scope", title: "Invalid scope", message: message,
                            hint: "Send v5 scopes separated by commas or spaces, for example user_accounts:read.",
                            clientID: clientID)
        }

        let state = query["state"]
        if let state, state.utf8.count > SandboxProvider.maximumStateBytes {
            return log.page(reason: "state_too_long", title: "Invalid authorization request",
                            message: "The state parameter is longer than \(SandboxProvider.maximumStateBytes) bytes.",
                            hint: "Send a short random state, such as 32 random bytes in base64url.",
                            clientID: clientID)
        }

        let codeChallenge: CodeChallenge?
        switch SandboxProvider.parseCodeChallenge(query) {
        case .success(let parsed):
            codeChallenge = parsed
        case .failure(let problem):
            return log.page(reason: "invalid_code_challenge", title: "Invalid authorization request",
                            message: problem.message,
                            hint: "Send code_challenge as 43 to 128 base64url characters with code_challenge_method=S256, or neither.",
                            clientID: clientID)
        }

        let consentID = SecureRandom.token()
        let consent = PendingConsent(clientID: clientID, redirectURI: redirectURI, scopes: scopes,
                                     state: state, codeChallenge: codeChallenge)
        let now = now()
        consents.insert(consent, for: consentID, expiresAt: now + SandboxProvider.consentLifetime, now: now)
        Log.info("sandbox consent page shown",
                 ["request_id": request.requestID, "pinterest_rid": pinterestRequestID, "client_id": clientID,
                  "scope": scopes.joined(separator: " "), "pkce": codeChallenge?.method.rawValue ?? "none"])
        return consentPage(request, consentID: consentID, consent: consent)
    }

    /// Serves `POST /oauth/consent`, the form of the consent page, and redirects to the redirect URI
    /// of the pending consent.
    ///
    /// Form fields (`application/x-www-form-urlencoded`), which a script can post as well:
    /// - `consent_id`: the hidden field of the consent page. It is single use and valid for
    ///   `consentLifetime` seconds.
    /// - `decision`: `allow` or `deny`.
    /// - `account`: the username of a test account, such as `sandbox_pinner` or `fault_token_500`.
    ///   Required with `allow`, ignored with `deny`.
    ///
    /// `allow` redirects to `redirect_uri?code=...&state=...`, `deny` to
    /// `redirect_uri?error=access_denied&error_description=...&state=...`, with `state` only when
    /// the authorization request had one.
    ///
    /// NOTE: Pinterest binds consent to the signed-in browser session. The sandbox has no sign-in, so
    /// anyone holding a consent id can post it. A site that loads the authorization page itself and
    /// makes a victim's browser post the form delivers a code for the attacker's choice of account
    /// (login CSRF), which the relying party must catch by checking `state`.
    func consentDecision(_ request: Request, pinterestRequestID: String) -> Response {
        let log = RejectionLog(request: request, pinterestRequestID: pinterestRequestID)
        guard let form = request.formBody() else {
            return log.page(reason: "malformed_form", title: "Invalid consent form",
                            message: "The consent form body is not valid application/x-www-form-urlencoded UTF-8.",
                            hint: "Post the fields consent_id, decision and account.")
        }
        for name in ["consent_id", "decision", "account"] where form.count(of: name) > 1 {
            return log.page(reason: "repeated_field", title: "Invalid consent form",
                            message: "The field \(name) appears more than once.", hint: "Send each field once.")
        }

        guard let consentID = form["consent_id"], !consentID.isEmpty else {
            return log.page(reason: "missing_consent_id", title: "Invalid consent form",
                            message: "The consent_id field is missing.",
                            hint: "Post the consent_id of the hidden field on the consent page.")
        }
        let decision = form["decision"] ?? ""
        guard decision == "allow" || decision == "deny" else {
            return log.page(reason: "invalid_decision", title: "Invalid consent form",
                            message: "The decision field must be allow or deny, not \(decision.isEmpty ? "missing" : decision).",
                            hint: "Press Allow or Deny on the consent page.")
        }
        var account: TestAccount?
        if decision == "allow" {
            let username = form["account"] ?? ""
            guard let found = TestAccount.find(username: username) else {
                return log.page(reason: "unknown_account", title: "Invalid consent form",
                                message: username.isEmpty ? "No test account was chosen." : "There is no test account named \(username).",
                                hint: "Choose one of the test accounts on the consent page.")
            }
            account = found
        }

        let now = now()
        guard let consent = consents.take(consentID, now: now) else {
            return log.page(reason: "unknown_consent", title: "Authorization request expired",
                            message: "This authorization request has expired or was already used.",
                            hint: "Start the login again from the app.")
        }

        var parameters = FormFields()
        guard let account else {
            parameters.append("error", "access_denied")
            parameters.append("error_description", "The user denied the authorization request.")
            if let state = consent.state { parameters.append("state", state) }
            Log.info("sandbox consent denied",
                     ["request_id": request.requestID, "pinterest_rid": pinterestRequestID, "client_id": consent.clientID])
            return .redirect(to: SandboxProvider.appendQuery(parameters, to: consent.redirectURI))
        }

        let scopes = grantedScopes.grant(consent.scopes, to: account.id)
        let code = SecureRandom.token()
        let grant = AuthorizationCodeGrant(clientID: consent.clientID, redirectURI: consent.redirectURI,
                                           accountID: account.id, scopes: scopes, codeChallenge: consent.codeChallenge)
        codes.insert(grant, for: code, expiresAt: now + Int64(registration.codeLifetimeSeconds), now: now)

        parameters.append("code", code)
        if let state = consent.state { parameters.append("state", state) }
        Log.info("sandbox consent allowed",
                 ["request_id": request.requestID, "pinterest_rid": pinterestRequestID, "client_id": consent.clientID,
                  "user_id": account.id, "fault": account.fault?.rawValue ?? "none"])
        return .redirect(to: SandboxProvider.appendQuery(parameters, to: consent.redirectURI))
    }

    /// Appends parameters to a URL that may already have a query string.
    static func appendQuery(_ parameters: FormFields, to url: String) -> String {
        let separator = if !url.contains("?") { "?" } else if url.hasSuffix("?") || url.hasSuffix("&") { "" } else { "&" }
        return url + separator + parameters.encoded
    }

    struct CodeChallengeProblem: Error {
        var message: String
    }

    // NOTE: Pinterest does not document PKCE, and whether it checks a code challenge is unconfirmed.
    // The sandbox checks one when it is sent (RFC 7636), so a client's PKCE mistakes show up here.
    static func parseCodeChallenge(_ query: FormFields) -> Result<CodeChallenge?, CodeChallengeProblem> {
        guard let value = query["code_challenge"] else {
            if query["code_challenge_method"] != nil {
                return .failure(CodeChallengeProblem(message: "The code_challenge_method parameter was sent without a code_challenge."))
            }
            return .success(nil)
        }
        guard let method = CodeChallenge.Method(rawValue: query["code_challenge_method"] ?? "plain") else {
            return .failure(CodeChallengeProblem(message: "The code_challenge_method must be S256 or plain."))
        }
        guard isCodeVerifierSyntax(value) else {
            return .failure(CodeChallengeProblem(message: "The code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'."))
        }
        return .success(CodeChallenge(value: value, method: method))
    }

    /// Checks the syntax RFC 7636 gives both code verifiers and code challenges.
    static func isCodeVerifierSyntax(_ text: String) -> Bool {
        (43...128).contains(text.utf8.count) && text.utf8.allSatisfy(FormFields.isUnreserved)
    }
}

/// Logs a rejected browser request and builds the error page for it.
struct RejectionLog {
    var request: Request
    var pinterestRequestID: String

    func page(reason: String, title: String, message: String, hint: String, clientID: String = "") -> Response {
        Log.warning("sandbox authorization request rejected",
                    ["request_id": request.requestID, "pinterest_rid": pinterestRequestID,
                     "client_id": clientID, "reason": reason, "status": "400"])
        let body = """
            <div class="error">
            <h1>\(escapeHTML(title))</h1>
            <p>\(escapeHTML(message))</p>
            <p>\(escapeHTML(hint))</p>
            </div>
            <p><small>Pinterest sandbox. Request id <code>\(escapeHTML(pinterestRequestID))</code>.</small></p>
            """
        return .html(htmlPage(title: "Pinterest sandbox: \(escapeHTML(title))", body: body), status: 400)
    }
}
