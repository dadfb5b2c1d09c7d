/// The nginx part of `pinterest-connection check --nginx FILE`. It parses the file and the files it
/// includes and picks the location nginx would choose for each of the service's routes. Then it
/// checks that the location passes the request to the connection's socket, with the mount path split off.
///
/// NOTE: It follows nginx's location order for one level of `location` blocks in each `server`
/// (exact, longest prefix, `^~`, then regular expressions in file order), and ignores nested
/// locations, `if` blocks, `rewrite` and `try_files`. Swift's regular expressions stand in for
/// PCRE, which agree on the patterns of the shipped snippet.
enum NginxCheck {
    /// The paths a browser, an application or nginx's auth_request may request, below the mount path.
    static let routes = ["/authorize", "/login/callback", "/profile", "/logout", "/healthz", "/test", "/test/start",
                         "/api/users", "/api/users/pinterest|4714936491839602101"]

    static func problems(path: String, configuration: Configuration, socketPath: String?) -> [String] {
        var parser = NginxParser()
        guard let directives = parser.parse(file: path) else {
            return ["--nginx: \(parser.errors.first ?? "cannot read \(path)"); pass the nginx file that includes the connection's snippet"]
        }
        var problems = parser.errors.map { "--nginx: \($0)" }

        let servers = NginxLocation.servers(in: directives)
        guard let server = servers.first(where: { $0.contains { $0.fastcgiPass != nil } }) else {
            return problems + ["--nginx: no location in \(path) has fastcgi_pass; include the snippet nginx/pinterest-connection.conf in the server block"]
        }

        let mountPath = URLParts(configuration.publicURL)?.path ?? ""
        var expectedPass = socketPath.map { "unix:" + $0 }
        var unrouted: [String] = []
        for route in routes {
            let uri = mountPath + route
            guard let location = NginxLocation.select(uri, from: server), let pass = location.fastcgiPass else {
                unrouted.append(uri)
                continue
            }
            if expectedPass == nil { expectedPass = pass }
            if pass != expectedPass {
                let expected = expectedPass ?? ""
                let reason = socketPath == nil ? "while other routes use \(expected)" : "but the responder listens on \(socketPath!) (--socket)"
                problems.append("--nginx: \(location.origin) passes \(uri) to \(pass) \(reason); make fastcgi_pass \(expected)")
                continue
            }
            if !mountPath.isEmpty && !location.splitsPathInfo {
                problems.append("--nginx: \(location.origin) serves \(uri) but does not split the mount path \(mountPath) off; add fastcgi_split_path_info ^(\(mountPath))(/.*)$ and fastcgi_param SCRIPT_NAME $fastcgi_script_name and PATH_INFO $fastcgi_path_info")
            }
        }
        if !unrouted.isEmpty {
            problems.append("--nginx: no location with fastcgi_pass matches \(unrouted.joined(separator: ", ")); include the snippet nginx/pinterest-connection.conf in the server of \(configuration.publicURL)")
        }

        // In sandbox mode, the browser and the connection reach the sandbox through the same server.
        if configuration.pinterest.sandbox {
            for url in [configuration.pinterest.authorizationURL, configuration.pinterest.apiBaseURL + "/v5/oauth/token"] {
                guard url.hasPrefix(configuration.publicURL), var uri = URLParts(url)?.path else { continue }
                if url.hasSuffix("/") { uri += "/" }
                let location = NginxLocation.select(uri, from: server)
                if location?.fastcgiPass == nil || location?.fastcgiPass == expectedPass {
                    problems.append("--nginx: \(uri) does not reach the sandbox provider; add a location for \(mountPath)/sandbox/ with fastcgi_pass to the socket of `pinterest-connection sandbox`")
                }
            }
        }
        return problems
    }
}

/// A `location` block, reduced to what the check needs.
struct NginxLocation {
    enum Modifier: String {
        case exact = "=", preferredPrefix = "^~", regex = "~", caseInsensitiveRegex = "~*", prefix = ""
    }

    var modifier: Modifier
    var pattern: String
    var fastcgiPass: String?
    var splitsPathInfo: Bool
    var isInternal: Bool
    /// `file:line`, for messages.
    var origin: String

    /// Collects the locations of each `server` block, or of the whole file when it has none (a snippet).
    static func servers(in directives: [NginxDirective]) -> [[NginxLocation]] {
        var servers: [[NginxLocation]] = []
        func walk(_ directives: [NginxDirective]) {
            for directive in directives {
                if directive.name == "server", let children = directive.children {
                    servers.append(locations(in: children))
                } else if let children = directive.children, directive.name != "location" {
                    walk(children)
                }
            }
        }
        walk(directives)
        if servers.isEmpty { servers.append(locations(in: directives)) }
        return servers
    }

    private static func locations(in directives: [NginxDirective]) -> [NginxLocation] {
        directives.compactMap { directive -> NginxLocation? in
            guard directive.name == "location", let children = directive.children, !directive.arguments.isEmpty else { return nil }
            var arguments = directive.arguments
            var modifier = Modifier.prefix
            if arguments.count == 2, let parsed = Modifier(rawValue: arguments[0]) {
                modifier = parsed
                arguments.removeFirst()
            }
            return NginxLocation(
                modifier: modifier,
                pattern: arguments[0],
                fastcgiPass: children.first { $0.name == "fastcgi_pass" }?.arguments.first,
                splitsPathInfo: children.contains { $0.name == "fastcgi_split_path_info" },
                isInternal: children.contains { $0.name == "internal" },
                origin: "the location \(directive.arguments.joined(separator: " ")) at \(directive.origin)")
        }
    }

    /// Returns the location nginx picks for a request URI: an exact match, else the longest prefix if it
    /// has `^~`, else the first matching regular expression, else the longest prefix.
    static func select(_ uri: String, from locations: [NginxLocation]) -> NginxLocation? {
        let reachable = locations.filter { !$0.isInternal }
        if let exact = reachable.first(where: { $0.modifier == .exact && $0.pattern == uri }) { return exact }
        let longestPrefix = reachable
            .filter { ($0.modifier == .prefix || $0.modifier == .preferredPrefix) && uri.hasPrefix($0.pattern) }
            .max { $0.pattern.count < $1.pattern.count }
        if let longestPrefix, longestPrefix.modifier == .preferredPrefix { return longestPrefix }
        for location in reachable where location.modifier == .regex || location.modifier == .caseInsensitiveRegex {
            guard var regex = try? Regex(location.pattern) else { continue }
            if location.modifier == .caseInsensitiveRegex { regex = regex.ignoresCase() }
            if uri.contains(regex) { return location }
        }
        return longestPrefix
    }
}

/// One directive of an nginx configuration, with the directives of its block if it has one.
struct NginxDirective {
    var name: String
    var arguments: [String]
    var children: [NginxDirective]?
    /// `file:line`, for messages.
    var origin: String
}

/// Reads nginx's configuration syntax: words, quoted strings, `;`, blocks and `#` comments, and
/// follows `include` of single files (not wildcards) up to a depth of 8.
struct NginxParser {
    private(set) var errors: [String] = []
    static let maximumIncludeDepth = 8

    mutating func parse(file path: String, depth: Int = 0) -> [NginxDirective]? {
        guard let bytes = readFile(path) else {
            errors.append("cannot read \(path)")
            return nil
        }
        return parse(text: String(decoding: bytes, as: UTF8.self), file: path, depth: depth)
    }

    /// Parses configuration text; `file` resolves relative includes and names lines in messages.
    mutating func parse(text: String, file: String, depth: Int = 0) -> [NginxDirective] {
        var tokens = Self.tokens(text)[...]
        let directives = block(&tokens, file: file, depth: depth)
        if let extra = tokens.first { errors.append("\(file):\(extra.line): unexpected }") }
        return directives.filter { $0.name != "" }
    }

    private mutating func block(_ tokens: inout ArraySlice<(text: String, line: Int)>, file: String, depth: Int) -> [NginxDirective] {
        var directives: [NginxDirective] = []
        var words: [String] = []
        var line = 0
        while let token = tokens.first {
            if token.text == "}" { break }
            tokens.removeFirst()
            if words.isEmpty { line = token.line }
            switch token.text {
            case ";":
                guard let name = words.first else { continue }
                let arguments = Array(words.dropFirst())
                words = []
                if name == "include", let included = arguments.first, !included.contains("*"), depth < Self.maximumIncludeDepth {
                    let resolved = ConfigurationCheck.resolve(included, relativeTo: file)
                    directives += parse(file: resolved, depth: depth + 1) ?? []
                } else {
                    directives.append(NginxDirective(name: name, arguments: arguments, children: nil, origin: "\(file):\(line)"))
                }
            case "{":
                let children = block(&tokens, file: file, depth: depth)
                if tokens.first?.text == "}" { tokens.removeFirst() } else { errors.append("\(file):\(line): block is not closed") }
                directives.append(NginxDirective(name: words.first ?? "", arguments: Array(words.dropFirst()),
                                                 children: children, origin: "\(file):\(line)"))
                words = []
            default:
                words.append(token.text)
            }
        }
        return directives
    }

    /// Splits the text into words, quoted strings (without quotes) and the characters `;{}`.
    static func tokens(_ text: String) -> [(text: String, line: Int)] {
        var tokens: [(text: String, line: Int)] = []
        var current = ""
        var quote: Character?
        var isComment = false
        var line = 1
        var escaped = false
        func flush() {
            if !current.isEmpty { tokens.append((current, line)) }
            current = ""
        }
        for character in text {
            if character == "\n" { line += 1 }
            if isComment {
                if character == "\n" { isComment = false }
                continue
            }
            if escaped {
                // A backslash stays, as regular expressions need it, except before a quote character.
                if character == "\"" || character == "'" { current.removeLast() }
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == "\\" {
                    current.append(character)
                    escaped = true
                } else if character == open {
                    tokens.append((current, line))
                    current = ""
                    quote = nil
                } else { current.append(character) }
                continue
            }
            switch character {
            case "\"", "'":
                flush()
                quote = character
            case "#" where current.isEmpty:
                isComment = true
            case ";", "{", "}":
                flush()
                tokens.append((String(character), line))
            case " ", "\t", "\n", "\r":
                flush()
            case "\\":
                current.append(character)
                escaped = true
            default:
                current.append(character)
            }
        }
        flush()
        return tokens
    }
}
