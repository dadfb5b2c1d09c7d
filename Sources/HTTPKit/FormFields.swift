/// Ordered name and value pairs from a query string or an `application/x-www-form-urlencoded` body.
public struct FormFields: Sendable, Equatable {
    public enum ParseError: Error, Equatable {
        case invalidPercentEncoding
        case invalidUTF8
        case tooManyFields
    }

    /// The maximum number of fields one query string or form may carry.
    public static let maximumFields = 256

    public private(set) var items: [(name: String, value: String)]

    public init(_ items: [(name: String, value: String)] = []) {
        self.items = items
    }

    /// Parses `a=1&b=two+words`, decoding `+` as a space and `%XX` escapes as UTF-8.
    public init(urlEncoded text: String) throws(ParseError) {
        items = []
        if text.isEmpty { return }
        for pair in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if items.count == FormFields.maximumFields { throw .tooManyFields }
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { pair[..<$0] } ?? pair[...]
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            items.append((try FormFields.decode(rawName), try FormFields.decode(rawValue)))
        }
    }

    /// The value of the last field with this name.
    public subscript(name: String) -> String? {
        items.last(where: { $0.name == name })?.value
    }

    /// How many fields carry this name, to reject a repeated parameter where one is expected.
    public func count(of name: String) -> Int {
        items.reduce(0) { $0 + ($1.name == name ? 1 : 0) }
    }

    public mutating func append(_ name: String, _ value: String) {
        items.append((name, value))
    }

    /// The fields encoded for a query string or form body.
    public var encoded: String {
        items.map { FormFields.encode($0.name) + "=" + FormFields.encode($0.value) }.joined(separator: "&")
    }

    public static func == (lhs: FormFields, rhs: FormFields) -> Bool {
        lhs.items.elementsEqual(rhs.items) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Percent-encodes everything but the unreserved characters of RFC 3986.
    public static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Checks for the unreserved characters of RFC 3986 (letters, digits, `-._~`), which
    /// percent-encoding leaves as they are.
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func decode(_ raw: some Collection<UInt8>) throws(ParseError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index != raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                let high = raw.index(after: index)
                guard high != raw.endIndex else { throw .invalidPercentEncoding }
                let low = raw.index(after: high)
                guard low != raw.endIndex, let h = hexValue(raw[high]), let l = hexValue(raw[low]) else {
                    throw .invalidPercentEncoding
                }
                bytes.append(h << 4 | l)
                index = low
            } else {
                bytes.append(byte)
            }
            index = raw.index(after: index)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
