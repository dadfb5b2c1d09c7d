// The login flow's redirects: /authorize, /login/callback and /logout with any query string and
// cookies. Every Location must be one of the application's registered URLs (with parameters
// appended) or Pinterest's consent page, no header may carry a control character, an HTML page
// must not contain markup taken from the request, and no response is a 5xx.
#if canImport(Glibc)
import Glibc
#endif
import HTTPKit
@testable import PinterestConnection
import ProfileStore

let publicURL = "http://127.0.0.1:8080"
let callbacks = ["http://127.0.0.1:8080/demo/", "https://app.example/callback?tenant=1"]
let logoutURLs = ["http://127.0.0.1:8080/demo/"]
let consentPage = "https://pinterest.example/oauth/"

/// A directory under `FUZZ_SCRATCH` (tmpfs, removed by fuzz.sh afterwards) or /tmp, for the
/// configuration file and the store.
let scratch: String = {
    let base = getenv("FUZZ_SCRATCH").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/connection-flow-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { fatalError("mkdtemp failed") }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}()

/// The configuration goes through the real loader, and the store is the real file store, so the
/// target follows their rules. Pinterest's API URL is the discard port on loopback. The flow
/// below never sends a code, so it is never called.
let service: ConnectionService = {
    let path = scratch + "/connection.json"
    let configuration = """
        {"public_url": "\(publicURL)",
         "pinterest": {"client_id": "1234567", "client_secret": "fuzz-pinterest-secret",
                       "authorization_url": "\(consentPage)", "api_url": "http://127.0.0.1:9"},
         "applications": [
           {"name": "Demo", "client_id": "demo", "client_secret": "demo-secret-0123456789",
            "callbacks": ["\(callbacks[0])", "\(callbacks[1])"],
            "allowed_logout_urls": ["\(logoutURLs[0])"], "pinterest_enabled": true},
           {"name": "Off", "client_id": "off", "client_secret": "off-secret-0123456789",
            "callbacks": ["http://127.0.0.1:8080/off/"], "pinterest_enabled": false}],
         "session": {"keys": [{"id": "k1", "secret": "fuzz-session-key-0123456789abcdef"}]},
         "store": {"directory": "\(scratch)/store",
                   "token_key": "4242424242424242424242424242424242424242424242424242424242424242"},
         "test_page": {"enabled": false}}
        """
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    _ = Array(configuration.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
    defer { unlink(path) }
    do {
        let configuration = try ConfigurationLoader.load(path: path)
        let store = try FileStore(directory: configuration.store.directory, tokenKey: configuration.store.tokenKey)
        return ConnectionService(configuration: configuration, store: store)
    } catch {
        fatalError("the fuzz configuration is invalid: \(error)")
    }
}()

func checkResponse(_ response: Response, _ context: String) {
    require(response.status < 500, "\(context) answered \(response.status)")
    // nginx answers 502 for headers beyond its FastCGI buffer, 4 KiB at the smallest.
    let headerBytes = response.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    require(headerBytes <= 3072, "\(context) sent \(headerBytes) bytes of headers")
    for header in response.headers {
        let bytes = Array(header.name.utf8) + Array(header.value.utf8)
        require(!bytes.contains { $0 < 0x20 || $0 == 0x7F }, "\(context) sent a control character in \(header.name)")
    }
    if let location = response.header("Location") {
        // Bytes, not `String` comparison, which treats canonically equivalent text as equal.
        let bytes = Array(location.utf8)
        let allowed = (callbacks + logoutURLs).contains { url in
            bytes == Array(url.utf8) || bytes.starts(with: Array((url + (url.contains("?") ? "&" : "?")).utf8))
        } || bytes.starts(with: Array((consentPage + "?").utf8))
        require(allowed, "\(context) redirected to \(location.prefix(200))")
    }
    if response.header("Content-Type")?.hasPrefix("text/html") == true {
        require(!text(response.body).contains("<fuzz"), "\(context) put request markup into a page")
    }
}

func fuzzOne(_ bytes: [UInt8]) {
    let (query, rest) = split(bytes)
    let (cookie, denial) = split(rest)
    let headers = ["cookie": text(cookie), "accept": "text/html"]

    let authorize = service.handle(Request(method: "GET", path: "/authorize", queryString: text(query), headers: headers))
    checkResponse(authorize, "authorize")
    let logout = service.handle(Request(method: "GET", path: "/logout", queryString: text(query), headers: headers))
    checkResponse(logout, "logout")
    let callback = service.handle(Request(method: "GET", path: "/login/callback", queryString: text(query), headers: headers))
    checkResponse(callback, "callback with the same query")

    // When /authorize started a login, come back with its cookie and a denial carrying the rest
    // of the input, which takes the callback down to the redirect to the application.
    guard let location = authorize.header("Location"), location.hasPrefix(consentPage),
        let state = (try? FormFields(urlEncoded: String(location.drop { $0 != "?" }.dropFirst())))?["state"],
        let setCookie = authorize.headers.last(where: { $0.name == "Set-Cookie" && $0.value.hasPrefix("pc_tx_") })?.value
    else { return }
    let transactionCookie = String(setCookie.prefix { $0 != ";" })
    var denialQuery = FormFields()
    denialQuery.append("state", state)
    denialQuery.append("error", text(denial))
    let denied = service.handle(Request(method: "GET", path: "/login/callback", queryString: denialQuery.encoded,
                                        headers: ["cookie": transactionCookie]))
    checkResponse(denied, "callback with a denial")
    require(denied.status == 302, "a denial with the right cookie answered \(denied.status)")
}
