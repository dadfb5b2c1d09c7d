/// Base64 with the URL and cookie-safe alphabet of RFC 4648 section 5, without padding.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(bytes, alphabet: alphabet, padded: false)
    }

    /// Standard base64 with padding, as HTTP Basic authentication uses.
    public static func encodeStandard(_ bytes: some Collection<UInt8>) -> String {
        encode(bytes, alphabet: standardAlphabet, padded: true)
    }

    private static func encode(_ bytes: some Collection<UInt8>, alphabet: [UInt8], padded: Bool) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        let remaining = input.count - index
        if remaining == 1 {
            let chunk = UInt32(input[index]) << 16
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            if padded { output.append(contentsOf: Array("==".utf8)) }
        } else if remaining == 2 {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            if padded { output.append(UInt8(ascii: "=")) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes the URL-safe alphabet without padding; `nil` for any other character, a padded or
    /// impossible length, or non-zero trailing bits, so each value has exactly one accepted encoding.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(text, standard: false)
    }

    /// Decodes standard padded base64, as in an HTTP Basic `Authorization` header.
    public static func decodeStandard(_ text: String) -> [UInt8]? {
        var trimmed = Substring(text)
        var padding = 0
        while trimmed.hasSuffix("=") && padding < 2 {
            trimmed = trimmed.dropLast()
            padding += 1
        }
        guard (trimmed.utf8.count + padding) % 4 == 0 else { return nil }
        return decode(String(trimmed), standard: true)
    }

    private static func decode(_ text: String, standard: Bool) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-") where !standard, UInt8(ascii: "+") where standard: value = 62
            case UInt8(ascii: "_") where !standard, UInt8(ascii: "/") where standard: value = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // Six leftover bits cannot come from any byte string, and leftover bits must be zero.
        if bits >= 6 || buffer != 0 { return nil }
        return output
    }
}
