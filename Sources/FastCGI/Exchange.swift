#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import HTTPKit

/// One request and response on a libfcgi `FCGX_Request`: reading params and body, writing the response.
struct Exchange {
    enum Body {
        case complete([UInt8])
        case tooLarge
    }

    private let request: UnsafeMutablePointer<FCGX_Request>

    init(_ request: UnsafeMutablePointer<FCGX_Request>) {
        self.request = request
    }

    /// The params the service reads, collected in one pass over libfcgi's environment. A
    /// duplicated name keeps the last value, unlike `FCGX_GetParam`, which returns the first.
    struct Params {
        /// `HTTP_*` params as header fields with lower-case names, `HTTP_USER_AGENT` as `user-agent`.
        var headers: [String: String] = [:]
        var method: String?
        var pathInfo: String?
        var scriptName: String?
        var documentURI: String?
        var requestURI: String?
        var queryString: String?
        var contentType: String?
        var requestID: String?
    }

    /// Splits each `NAME=value` entry on its bytes and keeps only the params the service reads.
    /// Building a dictionary of all 30 or so params nginx passes cost 43,000 instructions per
    /// request under callgrind, more than parsing the session record. Invalid UTF-8 in a value is
    /// repaired with U+FFFD, as `String(cString:)` does.
    func readParams() -> Params {
        var params = Params()
        guard var entry = request.pointee.envp else { return params }
        while let pointer = entry.pointee {
            entry += 1
            let length = strlen(pointer)
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { start in
                let pair = UnsafeBufferPointer(start: start, count: length)
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return }
                let name = UnsafeBufferPointer(rebasing: pair[..<equals])
                // Only the values kept are decoded, because the service never reads most params.
                func value() -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: pair[(equals + 1)...]), as: UTF8.self)
                }
                if name.count > 5 && memcmp(start, "HTTP_", 5) == 0 {
                    params.headers[headerName(fromParam: UnsafeBufferPointer(rebasing: name.dropFirst(5)))] = value()
                } else if Exchange.name(name, is: "REQUEST_METHOD") {
                    params.method = value()
                } else if Exchange.name(name, is: "PATH_INFO") {
                    params.pathInfo = value()
                } else if Exchange.name(name, is: "SCRIPT_NAME") {
                    params.scriptName = value()
                } else if Exchange.name(name, is: "DOCUMENT_URI") {
                    params.documentURI = value()
                } else if Exchange.name(name, is: "REQUEST_URI") {
                    params.requestURI = value()
                } else if Exchange.name(name, is: "QUERY_STRING") {
                    params.queryString = Exchange.queryString(UnsafeBufferPointer(rebasing: pair[(equals + 1)...]))
                } else if Exchange.name(name, is: "CONTENT_TYPE") {
                    params.contentType = value()
                } else if Exchange.name(name, is: "REQUEST_ID") {
                    params.requestID = value()
                }
            }
        }
        return params
    }

    /// The query string as text. nginx passes it as the client sent it, so bytes of 0x80 and above
    /// are percent-encoded here. Query parsing then decodes them like any escape and rejects the
    /// request when they are not UTF-8, instead of reading them as U+FFFD.
    static func queryString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return String(decoding: bytes, as: UTF8.self) }
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var escaped: [UInt8] = []
        escaped.reserveCapacity(bytes.count * 3)
        for byte in bytes {
            if byte < 0x80 {
                escaped.append(byte)
            } else {
                escaped.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    private static func name(_ name: UnsafeBufferPointer<UInt8>, is literal: StaticString) -> Bool {
        name.count == literal.utf8CodeUnitCount && memcmp(name.baseAddress!, literal.utf8Start, name.count) == 0
    }

    /// Reads the body to its end. Past the limit the rest is read and dropped, up to a bound, so
    /// nginx is not cut off while it still sends and the client gets the 413.
    func readBody(limit: Int) -> Body {
        var body: [UInt8] = []
        var discarded = 0
        let discardLimit = 64 << 20
        // The buffer is left uninitialized: zeroing 16 KiB cost 17,000 instructions per request
        // under callgrind, and most requests have no body. FCGX_GetStr fills the bytes it counts.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 16 * 1024) { buffer in
            while true {
                let count = FCGX_GetStr(buffer.baseAddress, Int32(buffer.count), request.pointee.in)
                if count <= 0 { break }
                if discarded > 0 || body.count + Int(count) > limit {
                    discarded += Int(count)
                    if discarded > discardLimit { break }
                    continue
                }
                body.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(count)))
            }
        }
        return discarded > 0 ? .tooLarge : .complete(body)
    }

    /// Writes the response; returns false when nginx's connection is gone.
    func write(_ response: Response, includeBody: Bool) -> Bool {
        var head = "Status: \(response.status) \(Response.reasonPhrase(response.status))\r\n"
        for header in response.headers {
            head += "\(header.name): \(header.value)\r\n"
        }
        if response.header("Content-Length") == nil && response.status != 204 && response.status != 304 {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        head += "\r\n"

        var ok = put(Array(head.utf8))
        if ok && includeBody && !response.body.isEmpty {
            ok = put(response.body)
        }
        return ok
    }

    private func put(_ bytes: [UInt8]) -> Bool {
        let written = bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) {
                FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out)
            }
        }
        return written == bytes.count
    }

    /// Builds the request model from FastCGI params. The path below the mount point comes from
    /// `PATH_INFO` with `SCRIPT_NAME` as the mount point, or from `DOCUMENT_URI` at the root.
    static func makeRequest(params: Params, requestID: String) -> Request {
        var headers = params.headers
        if let type = params.contentType, !type.isEmpty { headers["content-type"] = type }

        let path: String
        let mountPath: String
        if let pathInfo = params.pathInfo, !pathInfo.isEmpty {
            path = pathInfo
            mountPath = params.scriptName ?? ""
        } else {
            path = params.documentURI ?? params.requestURI.map { String($0.prefix { $0 != "?" }) } ?? "/"
            mountPath = ""
        }

        return Request(
            method: params.method ?? "GET",
            path: path,
            mountPath: mountPath.hasSuffix("/") ? String(mountPath.dropLast()) : mountPath,
            queryString: params.queryString ?? "",
            headers: headers,
            requestID: requestID
        )
    }
}

/// Turns the part of a param after `HTTP_`, such as `X_FORWARDED_FOR`, into the header name
/// `x-forwarded-for`. nginx passes header names in upper-case ASCII, which is mapped byte by byte.
/// Any other name takes the slower path through `Character`s.
private func headerName(fromParam name: UnsafeBufferPointer<UInt8>) -> String {
    guard name.allSatisfy({ $0 < 0x80 }) else {
        return String(String(decoding: name, as: UTF8.self).lowercased().map { $0 == "_" ? "-" : $0 })
    }
    return String(unsafeUninitializedCapacity: name.count) { buffer in
        for (index, byte) in name.enumerated() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): buffer[index] = byte + 0x20
            case UInt8(ascii: "_"): buffer[index] = UInt8(ascii: "-")
            default: buffer[index] = byte
            }
        }
        return name.count
    }
}
