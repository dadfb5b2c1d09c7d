// The JSON parser on untrusted bodies and Pinterest answers: never crashes or recurses past its
// depth limit, and whatever it accepts serializes to JSON that parses back to the same value.
import HTTPKit

func fuzzOne(_ bytes: [UInt8]) {
    let parser = JSONParser(maximumDepth: 16, maximumBytes: 4096)
    guard let value = try? parser.parse(bytes) else { return }

    let serialized = value.serialized()
    // Serializing escapes characters but adds no nesting, so the same limits hold.
    let reparsed = try? JSONParser(maximumDepth: 16, maximumBytes: 1 << 20).parse(serialized)
    require(reparsed == value, "serializing and parsing again changed the value: \(serialized.prefix(200))")
    require(!serialized.contains("<") && !serialized.contains(">"), "serialized JSON contains an unescaped < or >")
}
