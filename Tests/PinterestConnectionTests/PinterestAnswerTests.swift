import HTTPKit
import Testing
@testable import PinterestConnection

/// Pinterest's responses as `PinterestClient` classifies and reads them, without a network call.
/// The token lifetime cases are regressions of a crash the PinterestAnswer fuzz target found: an
/// `expires_in` near `Int64.max` overflowed when the login added it to the current time.
@Suite struct PinterestAnswerTests {
    let client = PinterestClient(
        settings: PinterestSettings(
            clientID: "1234567", clientSecret: "secret", authorizationURL: "https://pinterest.example/oauth/",
            apiBaseURL: "http://127.0.0.1:9", scopes: ["user_accounts:read"], sandbox: false,
            connectTimeoutMilliseconds: 100, timeoutMilliseconds: 200, maximumResponseBytes: 1 << 16, verifyTLS: true),
        redirectURI: "http://127.0.0.1:8080/login/callback")

    func grant(_ body: String) -> Result<PinterestTokenGrant, PinterestFailure> {
        let answer = HTTPClient.Result(status: 200, body: Array(body.utf8), headers: [:])
        switch client.classify(.success(answer), step: "token_exchange") {
        case .failure(let failure): return .failure(failure)
        case .success(let json): return client.tokenGrant(from: json, step: "token_exchange")
        }
    }

    @Test func documentedGrantRead() throws {
        let grant = try grant("""
            {"access_token":"pina_a","expires_in":2592000,"refresh_token":"pinr_r",
             "refresh_token_expires_in":5184000,"scope":"user_accounts:read boards:read"}
            """).get()
        #expect(grant.accessToken == "pina_a")
        #expect(grant.expiresIn == 2_592_000)
        #expect(grant.refreshToken == "pinr_r")
        #expect(grant.refreshTokenExpiresIn == 5_184_000)
        #expect(grant.scopes == ["user_accounts:read", "boards:read"])
    }

    @Test func missingLifetimesDefault() throws {
        let grant = try grant(#"{"access_token":"pina_a","expires_in":null}"#).get()
        #expect(grant.expiresIn == 2_592_000)
        #expect(grant.refreshTokenExpiresIn == nil)
    }

    @Test func lifetimeAsDigitsAccepted() throws {
        let grant = try grant(#"{"access_token":"pina_a","expires_in":"3600"}"#).get()
        #expect(grant.expiresIn == 3600)
    }

    @Test(arguments: ["9223372036854775807", "-9223372036854775808", "-1", "0", "1e300", "315360001", "\"soon\"", "true", "{}"])
    func outOfRangeAccessLifetimeRejected(_ lifetime: String) {
        let result = grant(#"{"access_token":"pina_a","expires_in":\#(lifetime)}"#)
        #expect(throws: PinterestFailure.self) { try result.get() }
        if case .failure(let failure) = result {
            #expect(failure.kind == .invalidAnswer)
            #expect(failure.detail.contains("expires_in"))
        }
    }

    @Test(arguments: ["9223372036854775807", "-5", "0"])
    func outOfRangeRefreshLifetimeRejected(_ lifetime: String) {
        let result = grant(#"{"access_token":"pina_a","refresh_token":"pinr_r","refresh_token_expires_in":\#(lifetime)}"#)
        if case .failure(let failure) = result {
            #expect(failure.kind == .invalidAnswer)
            #expect(failure.detail.contains("refresh_token_expires_in"))
        } else {
            Issue.record("refresh_token_expires_in \(lifetime) was accepted")
        }
    }

    @Test func missingAccessTokenRejected() {
        guard case .failure(let failure) = grant(#"{"expires_in":60}"#) else {
            Issue.record("a grant without access_token was accepted")
            return
        }
        #expect(failure.kind == .invalidAnswer)
    }

    @Test func redirectIsInvalidAnswer() {
        let answer = HTTPClient.Result(status: 302, body: [], headers: ["location": "https://evil.example/"])
        guard case .failure(let failure) = client.classify(.success(answer), step: "user_account") else {
            Issue.record("a redirect was accepted")
            return
        }
        #expect(failure.kind == .invalidAnswer)
    }

    @Test func requestIDAndMessageBounded() {
        let body = #"{"code":1,"message":"\#(String(repeating: "m", count: 5000))"}"#
        let answer = HTTPClient.Result(status: 400, body: Array(body.utf8), headers: ["x-pinterest-rid": String(repeating: "r", count: 5000)])
        guard case .failure(let failure) = client.classify(.success(answer), step: "token_exchange") else {
            Issue.record("a 400 was accepted")
            return
        }
        #expect(failure.requestID?.count == 64)
        #expect(failure.pinterestMessage?.count == 300)
    }
}
