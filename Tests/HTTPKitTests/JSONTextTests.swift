import Testing
@testable import HTTPKit

@Suite struct JSONTextTests {
    @Test func serializedSortsKeys() {
        let value: JSON = ["b": 1, "a": [true, .null, "x"], "c": ["z": .double(2.5), "y": -3]]
        #expect(value.serialized() == #"{"a":[true,null,"x"],"b":1,"c":{"y":-3,"z":2.5}}"#)
    }

    @Test func serializedEscapesStrings() {
        let cases: [(String, String)] = [
            ("plain", #""plain""#),
            ("quote \" and \\ backslash", #""quote \" and \\ backslash""#),
            ("line\nreturn\rtab\t", #""line\nreturn\rtab\t""#),
            ("<b>&amp;</b>", #""\u003cb\u003e\u0026amp;\u003c/b\u003e""#),
            ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
            ("a\u{2028}b\u{2029}c", #""a\u2028b\u2029c""#),
            ("Zoë's Café — 東京 ☕ 🎌", "\"Zoë's Café — 東京 ☕ 🎌\""),
            ("\u{7F}", "\"\u{7F}\""),
        ]
        for (text, expected) in cases {
            #expect(JSON.string(text).serialized() == expected, "\(text.debugDescription)")
        }
    }

    @Test func serializedBytesMatchText() {
        let value: JSON = ["about": "Recipes & <b>baking</b>, \"quoted\"", "count": 5_000_000_000, "name": "東京"]
        #expect(value.serializedBytes() == Array(value.serialized().utf8))
    }

    @Test func nonFiniteDoubleIsNull() {
        #expect(JSON.array([.double(.infinity), .double(.nan)]).serialized() == "[null,null]")
    }

    @Test func parserRoundTripsEscapes() throws {
        let value: JSON = ["text": "quote \" \\ \n <tag> & \u{2028} Zoë 東京 🎌 \u{1}", "plain": "ascii only"]
        #expect(try JSONParser().parse(value.serialized()) == value)
    }

    @Test func parserDecodesEscapes() throws {
        let parsed = try JSONParser().parse(#"["a\"b", "\u00e9\u6771", "\ud83c\udf8c", "x\/y", "Zoë"]"#)
        #expect(parsed == ["a\"b", "é東", "🎌", "x/y", "Zoë"])
    }

    @Test func parserRejectsInvalidUTF8() {
        let bytes: [UInt8] = [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(throws: JSONParser.Error.self) { try JSONParser().parse(bytes) }
    }

    @Test func parserRejectsControlCharacter() {
        #expect(throws: JSONParser.Error.self) { try JSONParser().parse("\"a\u{1}b\"") }
    }

    @Test func parserRejectsUnterminatedString() {
        #expect(throws: JSONParser.Error.self) { try JSONParser().parse("\"abc") }
        #expect(throws: JSONParser.Error.self) { try JSONParser().parse("\"ab\\\"") }
    }

    @Test func parserKeepsLastRepeatedKey() throws {
        #expect(try JSONParser().parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }
}
