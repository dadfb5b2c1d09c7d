import Testing
@testable import PinterestConnection

@Suite struct NginxCheckTests {
    static let snippet = """
        # A comment with a location /ignored { } inside.
        server {
            location = /login/callback { fastcgi_pass unix:/run/exact.sock; }
            location ^~ /sandbox/ { fastcgi_pass unix:/run/sandbox.sock; }
            location ~ "^/(authorize|login/callback|profile)(/|$)" {
                fastcgi_pass unix:/run/connection.sock;
                fastcgi_param PATH_INFO $uri;
            }
            location ~* ^/TEST(/|$) { fastcgi_pass unix:/run/connection.sock; }
            location /profile { return 404; }
            location /_internal { internal; fastcgi_pass unix:/run/internal.sock; }
        }
        """

    static var locations: [NginxLocation] {
        var parser = NginxParser()
        let directives = parser.parse(text: snippet, file: "/etc/nginx/test.conf")
        return NginxLocation.servers(in: directives)[0]
    }

    @Test func exactMatchWins() {
        #expect(NginxLocation.select("/login/callback", from: Self.locations)?.fastcgiPass == "unix:/run/exact.sock")
    }

    @Test func preferredPrefixStopsRegexSearch() {
        #expect(NginxLocation.select("/sandbox/oauth/", from: Self.locations)?.fastcgiPass == "unix:/run/sandbox.sock")
    }

    @Test func regexBeatsPlainPrefix() {
        #expect(NginxLocation.select("/profile", from: Self.locations)?.fastcgiPass == "unix:/run/connection.sock")
    }

    @Test func caseInsensitiveRegex() {
        #expect(NginxLocation.select("/test/start", from: Self.locations)?.fastcgiPass == "unix:/run/connection.sock")
    }

    @Test func internalLocationNotSelected() {
        #expect(NginxLocation.select("/_internal", from: Self.locations) == nil)
    }

    @Test func unmatchedPathHasNoLocation() {
        #expect(NginxLocation.select("/logout", from: Self.locations) == nil)
    }

    @Test func quotedPatternKeepsBackslashes() {
        let tokens = NginxParser.tokens(#"location ~ "^/a\.b" { }"#).map(\.text)
        #expect(tokens == ["location", "~", #"^/a\.b"#, "{", "}"])
    }

    @Test func commentsAreSkipped() {
        let tokens = NginxParser.tokens("listen 80; # server { broken\nroot /srv;").map(\.text)
        #expect(tokens == ["listen", "80", ";", "root", "/srv", ";"])
    }
}
