// URLParts, which the configuration uses for cookie paths and URL checks: never crashes, and what
// it accepts is an http or https URL with a host, no userinfo and a port in range.
@testable import PinterestConnection

func fuzzOne(_ bytes: [UInt8]) {
    let input = text(bytes)
    guard let parts = URLParts(input) else { return }
    require(parts.scheme == "http" || parts.scheme == "https", "scheme \(parts.scheme) accepted")
    require(!parts.host.isEmpty, "an empty host accepted")
    require(!parts.host.contains("@"), "userinfo accepted in \(parts.host)")
    require(!parts.host.contains("/") && !parts.host.contains("?") && !parts.host.contains("#"), "the host \(parts.host) contains a separator")
    if let port = parts.port { require((1...65535).contains(port), "port \(port) accepted") }
    require(!parts.path.contains("?") && !parts.path.contains("#"), "the path \(parts.path) contains a query or fragment")
    require(parts.path.isEmpty || parts.path.hasPrefix("/"), "the path \(parts.path) does not start with /")
}
