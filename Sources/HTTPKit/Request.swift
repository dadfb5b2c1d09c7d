/// An HTTP request as the web server handed it over, with the path relative to the mount point.
public struct Request: Sendable {
    /// The method in upper case, for example `GET`.
    public var method: String
    /// The path below the mount point, always starting with `/`, already percent-decoded by nginx.
    public var path: String
    /// The prefix the service is mounted under, empty at the root, never ending with `/`.
    public var mountPath: String
    /// The raw query string, without the `?`.
    public var queryString: String
    /// Header fields with lower-case names; a repeated field keeps the last value.
    public var headers: [String: String]
    /// The body, read to its end and capped by the responder.
    public var body: [UInt8]
    /// An id for log lines: nginx's `$request_id` when it is passed, otherwise a generated one.
    public var requestID: String

    /// Query items in order, or `nil` when the query string is malformed (see `malformedReason`).
    public let query: FormFields?
    /// The reason the request cannot be served as it is, for a 400 response.
    public var malformedReason: String? {
        if query == nil { return "The query string is not valid percent-encoded UTF-8 or has too many parameters." }
        if cookies == nil { return "The Cookie header has too many cookies." }
        return nil
    }
    /// Cookies from the `Cookie` header; the first of a repeated name wins, as browsers send the most
    /// specific path first.
    public let cookies: [String: String]?

    public init(
        method: String,
        path: String,
        mountPath: String = "",
        queryString: String = "",
        headers: [String: String] = [:],
        body: [UInt8] = [],
        requestID: String = ""
    ) {
        self.method = method.uppercased()
        self.path = path.isEmpty ? "/" : path
        self.mountPath = mountPath
        self.queryString = queryString
        self.headers = headers
        self.body = body
        self.requestID = requestID
        self.query = try? FormFields(urlEncoded: queryString)
        self.cookies = Request.parseCookies(headers["cookie"] ?? "")
    }

    /// The value of a query parameter; a repeated parameter keeps the last value.
    public func queryValue(_ name: String) -> String? {
        query?[name]
    }

    /// The value of a header field, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    public func cookie(_ name: String) -> String? {
        cookies?[name]
    }

    /// Whether the client prefers JSON to HTML: an `Accept` header that names JSON and not HTML.
    public var prefersJSON: Bool {
        guard let accept = header("accept")?.lowercased() else { return false }
        return accept.contains("json") && !accept.contains("text/html")
    }

    /// The body as form fields, or `nil` unless it is valid `application/x-www-form-urlencoded`.
    public func formBody() -> FormFields? {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        return try? FormFields(urlEncoded: text)
    }

    /// The maximum number of cookies one request may carry; browsers send at most a few hundred per host.
    public static let maximumCookies = 300

    /// Parses the header on its UTF-8 bytes, which costs a fraction of splitting it by `Character`.
    /// The separators, spaces and quotes it looks for are all ASCII.
    static func parseCookies(_ header: String) -> [String: String]? {
        var cookies: [String: String] = [:]
        var count = 0
        for pair in header.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
            count += 1
            if count > maximumCookies { return nil }
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(Substring(trimmingSpaces(pair[..<equals])))
            var value = trimmingSpaces(pair[pair.index(after: equals)...])
            if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                value = value.dropFirst().dropLast()
            }
            if name.isEmpty || cookies[name] != nil { continue }
            cookies[name] = String(Substring(value))
        }
        return cookies
    }

    private static func trimmingSpaces(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice = slice.dropFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice = slice.dropLast() }
        return slice
    }
}
