import Testing
@testable import PinterestConnection

@Suite struct URLPartsTests {
    @Test func parsesAllParts() {
        let parts = URLParts("https://login.example.com:8443/auth/callback?x=1#top")
        #expect(parts?.scheme == "https")
        #expect(parts?.host == "login.example.com")
        #expect(parts?.port == 8443)
        #expect(parts?.path == "/auth/callback")
    }

    @Test func lowercasesSchemeAndHost() {
        let parts = URLParts("HTTPS://Login.Example.COM/Path")
        #expect(parts?.scheme == "https")
        #expect(parts?.host == "login.example.com")
        #expect(parts?.path == "/Path")
    }

    @Test func noPortIsNil() {
        #expect(URLParts("https://example.com/")?.port == nil)
    }

    @Test func trailingSlashDropped() {
        #expect(URLParts("https://example.com/auth/")?.path == "/auth")
    }

    @Test func rootPathIsEmpty() {
        #expect(URLParts("https://example.com/")?.path == "")
    }

    @Test func bareHostHasEmptyPath() {
        #expect(URLParts("https://example.com")?.path == "")
    }

    @Test func queryEndsAuthority() {
        #expect(URLParts("https://example.com?next=/x")?.host == "example.com")
    }

    @Test func ipv6WithPort() {
        let parts = URLParts("http://[::1]:8080/a")
        #expect(parts?.host == "[::1]")
        #expect(parts?.port == 8080)
    }

    @Test func ipv6WithoutPort() {
        let parts = URLParts("http://[::1]/a")
        #expect(parts?.host == "[::1]")
        #expect(parts?.port == nil)
    }

    @Test(arguments: [
        "ftp://example.com/",
        "javascript:alert(1)",
        "https:/example.com/",
        "//example.com/",
        "example.com/path",
        "https://",
        "https:///path",
        "https://:8080/",
        "https://user@example.com/",
        "https://user:password@example.com/",
        "https://example.com@attacker.example/",
        "https://example.com:0/",
        "https://example.com:65536/",
        "https://example.com:http/",
        "https://example.com:/",
        "https://example.com:-80/",
        "https://example.com:+80/",
        "",
    ])
    func rejected(url: String) {
        #expect(URLParts(url) == nil)
    }

    @Test func highestPortAccepted() {
        #expect(URLParts("https://example.com:65535/")?.port == 65535)
    }
}

@Suite struct RedirectURIMatchingTests {
    static let application = Application(
        name: "App", clientID: "app", clientSecret: "0123456789abcdef",
        callbackURLs: ["https://app.example/callback", "http://localhost:3000/auth/K;1"],
        logoutURLs: ["https://app.example/"], pinterestEnabled: true, exposePinterestTokens: false)

    @Test func exactURLAllowed() {
        #expect(Self.application.allowsCallbackURL("https://app.example/callback"))
    }

    @Test func secondURLAllowed() {
        #expect(Self.application.allowsCallbackURL("http://localhost:3000/auth/K;1"))
    }

    @Test(arguments: [
        "https://app.example/callback/",
        "https://app.example/Callback",
        "HTTPS://app.example/callback",
        "https://APP.example/callback",
        "https://app.example:443/callback",
        "http://app.example/callback",
        "https://app.example/callback?x=1",
        "https://app.example/callback#x",
        "https://app.example/callbackx",
        "https://app.example.attacker.example/callback",
        "https://user@app.example/callback",
        "https://app.example@attacker.example/callback",
        "https://app.example/%63allback",
        "https://app.example/x/../callback",
        "https://app.example/./callback",
        "https://app.example//callback",
        " https://app.example/callback",
        "https://app.example/callback ",
        "https://app.example/callback\u{0}",
        "",
    ])
    func nearMissRejected(url: String) {
        #expect(!Self.application.allowsCallbackURL(url))
    }

    @Test func kelvinSignIsNotK() {
        #expect(!Self.application.allowsCallbackURL("http://localhost:3000/auth/\u{212A};1"))
    }

    @Test func greekQuestionMarkIsNotSemicolon() {
        #expect(!Self.application.allowsCallbackURL("http://localhost:3000/auth/K\u{037E}1"))
    }

    @Test func decomposedAccentDiffers() {
        let application = Application(name: "App", clientID: "app", clientSecret: "0123456789abcdef",
                                      callbackURLs: ["https://café.example/"], logoutURLs: [],
                                      pinterestEnabled: true, exposePinterestTokens: false)
        #expect(!application.allowsCallbackURL("https://cafe\u{301}.example/"))
    }

    @Test func logoutURLAllowed() {
        #expect(Self.application.allowsLogoutURL("https://app.example/"))
    }

    @Test func logoutURLWithoutSlashRejected() {
        #expect(!Self.application.allowsLogoutURL("https://app.example"))
    }

    @Test func callbackIsNoLogoutURL() {
        #expect(!Self.application.allowsLogoutURL("https://app.example/callback"))
    }
}
