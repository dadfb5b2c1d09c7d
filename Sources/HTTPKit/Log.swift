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
    public static func write(_ level: Level, _ message: StaticString, _ fields: KeyValuePairs<String, String>) {
        var line = "ts=\(timestamp()) level=\(level.rawValue) msg=\(quote(message.description))"
        for (key, value) in fields {
            line += " \(key)=\(quote(value))"
        }
        line += "\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { buffer in
            Glibc.write(2, buffer.baseAddress, buffer.count)
        }
    }

    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 == 0x7F }
        guard needsQuotes else { return value }
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
