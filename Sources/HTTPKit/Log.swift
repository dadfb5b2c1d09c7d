#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line per event on standard error: a timestamp, a level, a constant message and `key=value`
/// fields. Callers pass ids, never secrets, tokens, codes or cookie values.
public enum Log {
    public enum Level: String, Sendable { case debug, info, warning, error }

    public static func info(_ message: StaticString, _ fields: KeyValuePairs<String, String> = [:]) {
        write(.info, message, fields)
    }

    public static func warning(_ message: StaticString, _ fields: KeyValuePairs<String, String> = [:]) {
        write(.warning, message, fields)
    }

    public static func error(_ message: StaticString, _ fields: KeyValuePairs<String, String> = [:]) {
        write(.error, message, fields)
    }

    /// Writes the line with one `write(2)` call, so lines from concurrent threads never interleave.
    /// The line is built as bytes, because the responder logs every request and appending
    /// interpolated `String`s cost about as much as parsing the request.
    public static func write(_ level: Level, _ message: StaticString, _ fields: KeyValuePairs<String, String>) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: "ts=".utf8)
        line.append(contentsOf: timestamp().utf8)
        line.append(contentsOf: " level=".utf8)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(contentsOf: " msg=".utf8)
        appendQuoted(message.description, to: &line)
        for (key, value) in fields {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            appendQuoted(value, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        _ = line.withUnsafeBytes { buffer in
            Glibc.write(2, buffer.baseAddress, buffer.count)
        }
    }

    private static func appendQuoted(_ value: String, to line: inout [UInt8]) {
        if needsQuotes(value) {
            line.append(contentsOf: quote(value).utf8)
        } else {
            line.append(contentsOf: value.utf8)
        }
    }

    static func needsQuotes(_ value: String) -> Bool {
        value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 == 0x7F }
    }

    static func quote(_ value: String) -> String {
        guard needsQuotes(value) else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { quoted += "\\x" + String(scalar.value, radix: 16) }
                else { quoted.unicodeScalars.append(scalar) }
            }
        }
        return quoted + "\""
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Clock.iso8601(Int64(now.tv_sec), milliseconds: Int(now.tv_nsec / 1_000_000))
    }
}
