/// Something that turns a request into a response: a route handler or a whole service.
public typealias Handler = @Sendable (Request) -> Response

/// Routes by method and path. A pattern segment `{name}` matches one non-empty path segment.
/// HEAD falls back to the GET route unless the path has a HEAD route of its own, and the responder
/// drops the body.
public struct Router: Sendable {
    struct Route: Sendable {
        var method: String
        var segments: [Substring]
        var handler: @Sendable (Request, [String: String]) -> Response
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: Router.segments(of: pattern)) { request, _ in handler(request) })
    }

    /// Adds a route whose handler also receives the values of the pattern's `{name}` segments.
    public mutating func add(_ method: String, _ pattern: String,
                             _ handler: @escaping @Sendable (Request, [String: String]) -> Response) {
        routes.append(Route(method: method, segments: Router.segments(of: pattern), handler: handler))
    }

    public func handle(_ request: Request) -> Response {
        if let reason = request.malformedReason {
            return errorResponse(request, status: 400, code: "invalid_request", message: reason,
                                 hint: "Send a well-formed query string and at most \(Request.maximumCookies) cookies.")
        }

        let path = Router.segments(of: request.path)
        var allowed: [String] = []
        var headFallback: (Route, [String: String])?
        for route in routes {
            guard let parameters = Router.match(route.segments, path) else { continue }
            if route.method == request.method {
                return route.handler(request, parameters)
            }
            // A HEAD route of its own wins over the GET route, wherever the two were added.
            if request.method == "HEAD" && route.method == "GET" && headFallback == nil {
                headFallback = (route, parameters)
            }
            allowed.append(route.method)
        }
        if let (route, parameters) = headFallback {
            return route.handler(request, parameters)
        }

        if allowed.isEmpty {
            return errorResponse(request, status: 404, code: "not_found",
                                 message: "No page or endpoint exists at this path.",
                                 hint: "Check the URL against the routes listed in the README.")
        }
        if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
        var response = errorResponse(request, status: 405, code: "method_not_allowed",
                                     message: "This path does not accept \(request.method) requests.",
                                     hint: "Use one of: \(allowed.joined(separator: ", ")).")
        response.setHeader("Allow", allowed.joined(separator: ", "))
        return response
    }

    /// Returns a plain error response, as JSON or an HTML page by the request's `Accept` header.
    public func errorResponse(_ request: Request, status: Int, code: String, message: String, hint: String) -> Response {
        HTTPError(status: status, code: code, message: message, hint: hint).response(for: request)
    }

    static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.first == "{" && expected.last == "}" {
                parameters[String(expected.dropFirst().dropLast())] = String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}

/// An error with a stable code, a plain message and a hint on how to fix it, shown alike as an
/// HTML page to browsers and as JSON to API clients.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var code: String
    public var message: String
    public var hint: String

    public init(status: Int, code: String, message: String, hint: String) {
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var json: JSON {
        ["error": .string(code), "error_description": .string(message), "hint": .string(hint), "status": .int(Int64(status))]
    }

    /// The error as JSON whatever the `Accept` header, for API routes, with the request id.
    public func jsonResponse(for request: Request) -> Response {
        var body = json
        if !request.requestID.isEmpty { body["request_id"] = .string(request.requestID) }
        return .json(body, status: status)
    }

    /// The error as JSON or as an HTML page, by the request's `Accept` header. Both carry the
    /// request id, so a user's report can be matched to the service's log line.
    public func response(for request: Request) -> Response {
        if request.prefersJSON { return jsonResponse(for: request) }
        let requestID = request.requestID.isEmpty ? "" : "<dt>Request id</dt><dd><code>\(escapeHTML(request.requestID))</code></dd>\n"
        let body = """
            <div class="error">
            <h1>\(escapeHTML(message))</h1>
            </div>
            <h2>What to do</h2>
            <p>\(escapeHTML(hint))</p>
            <dl>
            <dt>Error code</dt><dd><code>\(escapeHTML(code))</code></dd>
            <dt>Status</dt><dd>HTTP \(status) \(Response.reasonPhrase(status))</dd>
            \(requestID)</dl>
            <p class="muted">If this keeps happening, send the error code and request id to the operator of this site.</p>
            """
        return .html(htmlPage(title: "Error: \(escapeHTML(code))", body: body), status: status)
    }
}
