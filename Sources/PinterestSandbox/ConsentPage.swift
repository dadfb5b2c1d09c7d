import HTTPKit

extension SandboxProvider {
    /// Renders the consent page: the app, the scopes, a radio button per test account with the
    /// fault accounts in a collapsed section, and Allow and Deny buttons that post the form.
    func consentPage(_ request: Request, consentID: String, consent: PendingConsent) -> Response {
        let appName = escapeHTML(registration.appName)
        let scopeItems = consent.scopes.map { scope in
            "<li><code>\(escapeHTML(scope))</code>: \(escapeHTML(PinterestScope.description(of: scope)))</li>"
        }
        let regularChoices = TestAccount.regular.enumerated().map { index, account in
            accountChoice(account, checked: index == 0)
        }
        let faultChoices = TestAccount.faulty.map { accountChoice($0, checked: false) }

        let body = """
            <h1>\(appName) wants to access your Pinterest account</h1>
            <p class="ok">This is the Pinterest sandbox: no real Pinterest account is involved. Pick a test account to log in as.</p>
            <p>\(appName) will be able to:</p>
            <ul>
            \(scopeItems.joined(separator: "\n"))
            </ul>
            <form method="post" action="\(escapeHTML(request.mountPath))/oauth/consent">
            <input type="hidden" name="consent_id" value="\(escapeHTML(consentID))">
            <fieldset>
            <legend>Test account</legend>
            \(regularChoices.joined(separator: "\n"))
            </fieldset>
            <details>
            <summary>Fault injection (for tests)</summary>
            <p>Each of these accounts logs in normally but makes one Pinterest endpoint misbehave.</p>
            \(faultChoices.joined(separator: "\n"))
            </details>
            <p>
            <button type="submit" name="decision" value="allow" class="primary">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button>
            </p>
            </form>
            <p><small>You will be sent back to <code>\(escapeHTML(consent.redirectURI))</code>.</small></p>
            """
        var response = Response.html(htmlPage(title: "Pinterest sandbox: authorize \(appName)", body: body))

        // Browsers apply form-action to the redirect that follows a form POST, so the redirect URI's
        // origin must be allowed or the browser stops at this page.
        if let origin = SandboxProvider.origin(of: consent.redirectURI) {
            response.setHeader("Content-Security-Policy",
                               "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self' \(origin); frame-ancestors 'none'")
        }
        return response
    }

    private func accountChoice(_ account: TestAccount, checked: Bool) -> String {
        """
        <label><input type="radio" name="account" value="\(escapeHTML(account.username))"\(checked ? " checked" : "")> \
        <strong>\(escapeHTML(account.username))</strong> (id <code>\(escapeHTML(account.id))</code>): \(escapeHTML(account.summary))</label>
        """
    }

    /// Returns the `scheme://host[:port]` of an http or https URL as a CSP source, or `nil` when it
    /// contains a character that a CSP host source cannot carry.
    static func origin(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound]
        guard scheme == "http" || scheme == "https" else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let allowed = authority.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
                true
            default:
                false
            }
        }
        guard !authority.isEmpty, allowed else { return nil }
        return "\(scheme)://\(authority)"
    }
}
