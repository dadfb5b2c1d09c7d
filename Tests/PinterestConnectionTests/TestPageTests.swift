import HTTPKit
import ProfileStore
import Testing
@testable import PinterestConnection

@Suite struct TestPageTests {
    @Test func testLoginNeedsBothMarks() {
        var state = LoginState(id: "s", clientID: TestLogin.clientID, redirectURI: TestLogin.redirectMarker,
                               clientState: nil, browserBinding: "b", createdAt: 0, expiresAt: 1)
        #expect(state.isTestLogin)
        state.redirectURI = "https://app.example/callback"
        #expect(!state.isTestLogin)
        state.redirectURI = TestLogin.redirectMarker
        state.clientID = "demo"
        #expect(!state.isTestLogin)
    }

    @Test func markerIsNoCallbackURL() {
        #expect(URLParts(TestLogin.redirectMarker) == nil)
    }

    @Test func stepsAfterFailureNotReached() {
        let report = TestReport(outcome: .failed(step: .tokenExchange, entry: ErrorCatalogue.rateLimited, detail: nil, pinterest: nil))
        #expect(report.result(of: .authorize) == "passed")
        #expect(report.result(of: .consent) == "passed")
        #expect(report.result(of: .tokenExchange) == "failed")
        #expect(report.result(of: .userAccount) == "not reached")
        #expect(report.result(of: .store) == "not reached")
    }

    @Test func profileTableEscapesValues() {
        let html = TestReport.table(["about": "<b>bold</b> & \"quoted\"", "<key>": 1])
        #expect(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"))
        #expect(html.contains("<code>&lt;key&gt;</code>"))
        #expect(!html.contains("<b>"))
    }
}

@Suite struct SecretCheckTests {
    @Test func repeatedCharactersAreWeak() {
        #expect(SecretCheck.weakness(of: String(repeating: "a", count: 64)) != nil)
    }

    @Test func placeholderIsWeak() {
        #expect(SecretCheck.weakness(of: "Changeme-0123456789") != nil)
    }

    @Test func randomHexIsStrong() {
        #expect(SecretCheck.weakness(of: "3f9c2a71e0b84d56a9c1f07e2b5d8a4c6e1f3a9b7c0d2e4f6a8b1c3d5e7f9a0b") == nil)
    }
}
