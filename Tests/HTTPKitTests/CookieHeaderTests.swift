import Testing
@testable import HTTPKit

@Suite struct CookieHeaderTests {
    @Test func cookiesSplitAndTrimmed() {
        let cookies = Request.parseCookies(" a=1;b = 2 ;\tc=three=3; ;d")
        #expect(cookies?["a"] == "1")
        #expect(cookies?["b"] == "2")
        #expect(cookies?["c"] == "three=3")
        #expect(cookies?["d"] == nil)
        #expect(cookies?.count == 3)
    }

    @Test func quotedValueUnquoted() {
        let cookies = Request.parseCookies(#"a="quoted value"; b=""; c=""#)
        #expect(cookies?["a"] == "quoted value")
        #expect(cookies?["b"] == "")
        #expect(cookies?["c"] == "\"")
    }

    @Test func firstRepeatedCookieWins() {
        #expect(Request.parseCookies("a=first; a=second")?["a"] == "first")
    }

    @Test func nonASCIIValueKept() {
        #expect(Request.parseCookies("name=Zoë 東京")?["name"] == "Zoë 東京")
    }

    // U+037E GREEK QUESTION MARK is canonically equivalent to ";", so Swift's `String.contains`
    // finds a ";" in it, but its bytes (CD BE) are no separator and the header splits on bytes.
    @Test func greekQuestionMarkDoesNotSplit() {
        let cookies = Request.parseCookies("a\u{037E}b=1; c=2")
        #expect(cookies?.count == 2)
        #expect(cookies?["c"] == "2")
        #expect(cookies?.keys.allSatisfy { !$0.utf8.contains(UInt8(ascii: ";")) } == true)
    }

    @Test func tooManyCookiesRejected() {
        let header = (0...Request.maximumCookies).map { "c\($0)=v" }.joined(separator: "; ")
        #expect(Request.parseCookies(header) == nil)
    }
}
