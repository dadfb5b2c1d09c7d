import HTTPKit
import ProfileStore

/// The HTML of the test page and its report. Every value from the configuration, from Pinterest or
/// from the store goes through `escapeHTML`.
extension TestReport {
    /// Renders the page at `GET /test`: the settings the test uses and the link that starts it.
    static func startPage(configuration: Configuration, request: Request) -> Response {
        let startURL = configuration.publicURL + "/test/start"
        if request.prefersJSON {
            return .json([
                "start_url": .string(startURL),
                "redirect_uri": .string(configuration.redirectURI),
                "scopes_requested": .array(configuration.pinterest.scopes.map(JSON.string)),
                "pinterest": .string(configuration.pinterest.sandbox ? "sandbox" : "pinterest"),
                "client_id": .string(configuration.pinterest.clientID),
            ])
        }

        let steps = Step.allCases.map { "<li><strong>\($0.title)</strong>: \(escapeHTML($0.explanation))</li>" }
        let body = """
            <h1>Test the Pinterest connection</h1>
            <p>This test runs a complete “Log in with Pinterest” with the settings below, and shows \
            what each step returned. It stores the profile of the Pinterest account you log in with, \
            as a real login does, but starts no session.</p>
            \(settingsList(configuration))
            <p><a class="button primary" href="\(escapeHTML(startURL))">Start a test login</a></p>
            <h2>Steps</h2>
            <ol>
            \(steps.joined(separator: "\n"))
            </ol>
            <p class="muted">If Pinterest shows its own error page, for example that the redirect URI \
            does not match, and never sends you back here, register the redirect URI above, exactly as \
            shown, in your app at developers.pinterest.com.</p>
            """
        return .html(htmlPage(title: "Test the Pinterest connection", body: body))
    }

    /// Renders the report page: “It works!” with what was stored, or the failed step with its fix.
    func page(configuration: Configuration) -> String {
        var sections: [String] = []
        switch outcome {
        case .passed(let login):
            let username = login.account["username"]?.stringValue ?? login.record.userID
            sections.append("""
                <div class="ok">
                <h1>It works!</h1>
                <p>Pinterest logged in <strong>\(escapeHTML(username))</strong> and the connection \
                stored the profile below \(login.isFirstLogin ? "as a new user" : "over the existing user"). \
                Applications can use “Log in with Pinterest” now.</p>
                </div>
                """)
            sections.append(stepList())
            sections.append(Self.settingsList(configuration, grantedScopes: login.grantedScopes))
            sections.append("<h2>Profile as stored</h2>\n" + Self.table(login.record.profile))
            sections.append("<h2>Pinterest attributes received</h2>\n" + Self.table(login.account))
            if let tokens = login.record.tokens {
                sections.append(Self.tokenSummary(tokens))
            }
        case .failed(let step, let entry, let detail, let pinterest):
            let message = detail.map { "\(entry.message) \($0)" } ?? entry.message
            sections.append("""
                <div class="error">
                <h1>The test login failed at the \(escapeHTML(step.title.lowercased())) step</h1>
                <p>\(escapeHTML(message))</p>
                </div>
                <h2>What to do</h2>
                <p>\(escapeHTML(entry.hint))</p>
                <dl>
                <dt>Error code</dt><dd><code>\(escapeHTML(entry.code))</code> (HTTP \(entry.status) when a login fails this way)</dd>
                <dt>Step that failed</dt><dd>\(escapeHTML(step.title)): \(escapeHTML(step.explanation))</dd>
                </dl>
                """)
            if let pinterest {
                sections.append(Self.answerList(pinterest))
            }
            sections.append(stepList())
            sections.append(Self.settingsList(configuration))
        }
        sections.append("<p><a class=\"button\" href=\"\(escapeHTML(configuration.publicURL))/test\">Run the test again</a></p>")

        let title: String
        if case .passed = outcome { title = "Test login: it works" } else { title = "Test login failed" }
        return htmlPage(title: title, body: sections.joined(separator: "\n"))
    }

    private func stepList() -> String {
        let items = Step.allCases.map { step in
            let result = result(of: step)
            let css = result.replacingSpaces(with: "-")
            return "<li class=\"\(css)\"><strong>\(escapeHTML(step.title))</strong>: \(escapeHTML(result))</li>"
        }
        return "<h2>Steps</h2>\n<ol class=\"steps\">\n\(items.joined(separator: "\n"))\n</ol>"
    }

    private static func settingsList(_ configuration: Configuration, grantedScopes: String? = nil) -> String {
        let pinterest = configuration.pinterest
        var rows = [
            definition("Pinterest", pinterest.sandbox ? "The embedded sandbox provider" : "App ID \(pinterest.clientID)", code: false),
            definition("Redirect URI in use", configuration.redirectURI),
            definition("Scopes requested", pinterest.scopes.joined(separator: " ")),
        ]
        if let grantedScopes {
            rows.append(grantedScopes.isEmpty ? definition("Scopes granted", "None listed by Pinterest", code: false)
                                              : definition("Scopes granted", grantedScopes))
        }
        rows.append(definition("Authorization page", pinterest.authorizationURL))
        rows.append(definition("API", pinterest.apiBaseURL))
        rows.append(definition("Profile sync", configuration.syncUserProfile ? "On: every login overwrites name, nickname and picture."
                                                                             : "Off: only the first login writes name, nickname and picture.",
                               code: false))
        return "<h2>Settings</h2>\n<dl>\n\(rows.joined(separator: "\n"))\n</dl>"
    }

    private static func answerList(_ answer: PinterestAnswer) -> String {
        var rows = [answer.status.map { definition("HTTP status", String($0)) }
                    ?? definition("HTTP status", "No HTTP response", code: false)]
        if let code = answer.code { rows.append(definition("Error code", code)) }
        if let message = answer.message { rows.append(definition("Message", message, code: false)) }
        if let requestID = answer.requestID { rows.append(definition("Request id (x-pinterest-rid)", requestID)) }
        if let detail = answer.detail { rows.append(definition("Diagnosis", detail, code: false)) }
        return "<h2>What Pinterest answered</h2>\n<dl>\n\(rows.joined(separator: "\n"))\n</dl>"
    }

    /// Renders one term and its value, the value as code unless it is a sentence.
    private static func definition(_ term: String, _ value: String, code: Bool = true) -> String {
        let text = code ? "<code>\(escapeHTML(value))</code>" : escapeHTML(value)
        return "<dt>\(escapeHTML(term))</dt><dd>\(text)</dd>"
    }

    private static func tokenSummary(_ tokens: PinterestTokens) -> String {
        let refresh = tokens.refreshTokenExpiresAt.map { "a refresh token valid until \(Clock.iso8601($0))" }
            ?? (tokens.refreshToken == nil ? "no refresh token" : "a refresh token")
        return """
            <h2>Pinterest tokens</h2>
            <p>Pinterest issued an access token valid until \(escapeHTML(Clock.iso8601(tokens.accessTokenExpiresAt))) \
            and \(escapeHTML(refresh)). The store keeps them encrypted; this page never shows them.</p>
            """
    }

    /// Renders a JSON object's members as a two-column table sorted by name, with nested values as
    /// compact JSON.
    static func table(_ value: JSON) -> String {
        guard let members = value.objectValue, !members.isEmpty else {
            return "<p><code>\(escapeHTML(value.serialized()))</code></p>"
        }
        let rows = members.keys.sorted().map { name in
            let text: String
            switch members[name]! {
            case .string(let string): text = escapeHTML(string)
            case .null: text = "<span class=\"muted\">null</span>"
            case let other: text = "<code>\(escapeHTML(other.serialized()))</code>"
            }
            return "<tr><th scope=\"row\"><code>\(escapeHTML(name))</code></th><td>\(text)</td></tr>"
        }
        return "<table>\n\(rows.joined(separator: "\n"))\n</table>"
    }
}

extension String {
    fileprivate func replacingSpaces(with replacement: String) -> String {
        split(separator: " ").joined(separator: replacement)
    }
}
