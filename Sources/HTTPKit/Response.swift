/// An HTTP response: status, header fields in order, and body.
public struct Response: Sendable {
    public var status: Int
    public private(set) var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = []
        self.body = body
        for header in headers { addHeader(header.name, header.value) }
    }

    /// Adds a header field. Control characters are dropped from the name and the value, so no CR or LF
    /// taken from a request can split a header, whatever a handler passes in.
    public mutating func addHeader(_ name: String, _ value: String) {
        headers.append((Response.stripControlCharacters(name), Response.stripControlCharacters(value)))
    }

    /// Replaces every field of that name with one field.
    public mutating func setHeader(_ name: String, _ value: String) {
        let lowered = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lowered }
        addHeader(name, value)
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name.lowercased() == lowered }?.value
    }

    public mutating func setCookie(_ cookie: SetCookie) {
        addHeader("Set-Cookie", cookie.headerValue)
    }

    public static func json(_ value: JSON, status: Int = 200) -> Response {
        var response = Response(status: status, body: value.serializedBytes())
        response.addHeader("Content-Type", "application/json")
        response.addHeader("Cache-Control", "no-store")
        return response
    }

    public static func html(_ page: String, status: Int = 200) -> Response {
        var response = Response(status: status, body: Array(page.utf8))
        response.addHeader("Content-Type", "text/html; charset=utf-8")
        response.addHeader("Cache-Control", "no-store")
        // Pages carry their own style and no script, so nothing outside them is ever loaded.
        response.addHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'")
        response.addHeader("X-Content-Type-Options", "nosniff")
        response.addHeader("Referrer-Policy", "no-referrer")
        return response
    }

    public static func text(_ text: String, status: Int = 200) -> Response {
        var response = Response(status: status, body: Array(text.utf8))
        response.addHeader("Content-Type", "text/plain; charset=utf-8")
        return response
    }

    /// A redirect. `Referrer-Policy: no-referrer` keeps codes and states in the URL out of the
    /// `Referer` the next site would see.
    public static func redirect(to location: String, status: Int = 302) -> Response {
        var response = Response(status: status)
        response.addHeader("Location", location)
        response.addHeader("Cache-Control", "no-store")
        response.addHeader("Referrer-Policy", "no-referrer")
        return response
    }

    static func stripControlCharacters(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    /// The reason phrase for a status code, for the FastCGI `Status` line.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}

/// A `Set-Cookie` header value.
public struct SetCookie: Sendable, Equatable {
    public enum SameSite: String, Sendable { case lax = "Lax", strict = "Strict", none = "None" }

    public var name: String
    public var value: String
    public var path: String
    /// Seconds until the browser drops the cookie; 0 deletes it, `nil` makes a browser-session cookie.
    public var maxAge: Int?
    public var httpOnly: Bool
    public var secure: Bool
    public var sameSite: SameSite

    public init(name: String, value: String, path: String = "/", maxAge: Int? = nil,
                httpOnly: Bool = true, secure: Bool = false, sameSite: SameSite = .lax) {
        self.name = name
        self.value = value
        self.path = path
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
        self.sameSite = sameSite
    }

    /// Returns a cookie that makes the browser delete the one it keeps under the same name and path.
    public static func deleting(_ name: String, path: String, secure: Bool) -> SetCookie {
        SetCookie(name: name, value: "", path: path, maxAge: 0, secure: secure)
    }

    public var headerValue: String {
        var value = "\(name)=\(self.value); Path=\(path)"
        if let maxAge { value += "; Max-Age=\(maxAge)" }
        if httpOnly { value += "; HttpOnly" }
        if secure { value += "; Secure" }
        value += "; SameSite=\(sameSite.rawValue)"
        return value
    }
}
