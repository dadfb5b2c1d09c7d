#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import HTTPKit

/// One request and response on a libfcgi `FCGX_Request`: reading params and body, writing the answer.
struct Exchange {
    enum Body {
        case complete([UInt8])
        case tooLarge
    }

    private let request: UnsafeMutablePointer<FCGX_Request>

    init(_ request: UnsafeMutablePointer<FCGX_Request>) {
        self.request = request
    }

    /// Collects every param; a duplicated name keeps the last value, unlike `FCGX_GetParam`,
    /// which returns the first.
    /// Each `NAME=value` entry is split on its bytes, because splitting a `String` by `Character`
    /// cost more than the rest of a `/profile` request's parsing. Invalid UTF-8 is repaired with
    /// U+FFFD, as `String(cString:)` does.
    func readParams() -> [String: String] {
        var params: [String: String] = [:]
        // nginx's fastcgi_params and the service's locations pass about 30 params.
        params.reserveCapacity(48)
        guard var entry = request.pointee.envp else { return params }
        while let pointer = entry.pointee {
            let length = strlen(pointer)
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { start in
                let pair = UnsafeBufferPointer(start: start, count: length)
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { return }
                let name = String(decoding: UnsafeBufferPointer(rebasing: pair[..<equals]), as: UTF8.self)
                params[name] = String(decoding: UnsafeBufferPointer(rebasing: pair[(equals + 1)...]), as: UTF8.self)
            }
            entry += 1
        }
        return params
    }

    /// Reads the body to its end. Past the limit the rest is read and dropped, up to a bound, so
    /// nginx is not cut off while it still sends and the client gets the 413.
    func readBody(limit: Int) -> Body {
        var body: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var discarded = 0
        let discardLimit = 64 << 20
        while true {
            let count = buffer.withUnsafeMutableBufferPointer { pointer in
                pointer.withMemoryRebound(to: CChar.self) {
                    FCGX_GetStr($0.baseAddress, Int32($0.count), request.pointee.in)
                }
            }
            if count <= 0 { break }
            if discarded > 0 || body.count + Int(count) > limit {
                discarded += Int(count)
                if discarded > discardLimit { break }
                continue
            }
            body.append(contentsOf: buffer[0..<Int(count)])
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
    static func makeRequest(params: [String: String], requestID: String) -> Request {
        var headers: [String: String] = [:]
        for (name, value) in params where name.utf8.starts(with: "HTTP_".utf8) {
            headers[headerName(fromParam: name)] = value
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }

        let path: String
        let mountPath: String
        if let pathInfo = params["PATH_INFO"], !pathInfo.isEmpty {
            path = pathInfo
            mountPath = params["SCRIPT_NAME"] ?? ""
        } else {
            path = params["DOCUMENT_URI"] ?? params["REQUEST_URI"].map { String($0.prefix { $0 != "?" }) } ?? "/"
            mountPath = ""
        }

        return Request(
            method: params["REQUEST_METHOD"] ?? "GET",
            path: path,
            mountPath: mountPath.hasSuffix("/") ? String(mountPath.dropLast()) : mountPath,
            queryString: params["QUERY_STRING"] ?? "",
            headers: headers,
            requestID: requestID
        )
    }
}

/// Turns a param such as `HTTP_X_FORWARDED_FOR` into the header name `x-forwarded-for`. nginx
/// passes header names in upper-case ASCII, which is mapped byte by byte. Any other name takes
/// the slower path through `Character`s.
private func headerName(fromParam param: String) -> String {
    let name = param.utf8.dropFirst(5)
    guard name.allSatisfy({ $0 < 0x80 }) else {
        return String(param.dropFirst(5).lowercased().map { $0 == "_" ? "-" : $0 })
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
