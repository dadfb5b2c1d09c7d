#if canImport(Glibc)
import Glibc
#endif
import Crypto
import HTTPKit

/// `pinterest-connection check`: validates a configuration without serving. It reads the file as
/// `serve` does, then checks what the loader cannot: the strength and exposure of the secrets, the
/// store's permissions, the sandbox registration, an optional nginx configuration, and whether
/// Pinterest's endpoints answer and accept the app credentials.
public enum ConfigurationCheck {
    /// The maximum time of each of the two reachability probes, whatever the configured Pinterest
    /// timeouts, so the whole check ends within about 10 seconds even when both endpoints hang.
    static let probeConnectTimeoutMilliseconds = 3000
    static let probeTimeoutMilliseconds = 5000

    /// Prints what to register at Pinterest, then one `error:` line per problem, and returns the
    /// exit status: 0 when nothing is wrong, 1 otherwise.
    /// - Parameters:
    ///   - path: the configuration file.
    ///   - nginxPath: an nginx configuration file or snippet whose routes to check, if any.
    ///   - socketPath: the socket `serve --socket` listens on, compared with nginx's `fastcgi_pass`.
    public static func run(path: String, nginxPath: String? = nil, socketPath: String? = nil) -> Int32 {
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(path: path)
        } catch {
            for problem in error.problems { print("error: \(problem)") }
            print("\(error.problems.count) problem\(error.problems.count == 1 ? "" : "s") found in \(path)")
            return 1
        }

        let pinterest = configuration.pinterest
        print("public URL: \(configuration.publicURL)")
        print("redirect URI to register at Pinterest: \(configuration.redirectURI)")
        print("scopes requested: \(pinterest.scopes.joined(separator: ","))")
        print("pinterest: \(pinterest.sandbox ? "embedded sandbox" : "app \(pinterest.clientID)") at \(pinterest.apiBaseURL)")

        let raw = readFile(path).flatMap { try? JSONParser().parse($0) } ?? .object([:])
        var problems: [String] = []
        problems += SecretCheck.problems(configuration, raw: raw, path: path)
        problems += storeProblems(configuration.store.directory)
        problems += endpointProblems(configuration)
        if pinterest.sandbox {
            problems += sandboxRegistrationProblems(configuration, raw: raw, path: path)
        }
        if let nginxPath {
            problems += NginxCheck.problems(path: nginxPath, configuration: configuration, socketPath: socketPath)
        } else if let socketPath {
            problems += socketDirectoryProblems(socketPath)
        }
        problems += reachabilityProblems(configuration)

        for problem in problems { print("error: \(problem)") }
        if problems.isEmpty {
            print("ok: configuration \(path) is valid")
            return 0
        }
        print("\(problems.count) problem\(problems.count == 1 ? "" : "s") found in \(path)")
        return 1
    }

    static func storeProblems(_ directory: String) -> [String] {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            // The store creates a missing directory, so only a missing parent is a problem.
            let parent = directory.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            if access(parent.isEmpty ? "/" : parent, W_OK) != 0 {
                return ["store.directory: \(directory) does not exist and its parent is not writable; create it with mode 0700, owned by the service's user"]
            }
            return []
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            return ["store.directory: \(directory) is not a directory; point store.directory at a directory, or remove the file so the service creates one"]
        }
        var problems: [String] = []
        if status.st_mode & 0o077 != 0 {
            problems.append("store.directory: \(directory) is readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 700 \(directory)")
        }
        // access() ignores the immutable attribute for root, so a real file creation decides.
        for subdirectory in ["", "/users", "/sessions", "/login-states", "/expiry", "/tmp"] {
            let path = directory + subdirectory
            guard subdirectory.isEmpty || access(path, F_OK) == 0 else { continue }
            if let reason = creationFailure(in: path) {
                problems.append("store.directory: cannot create a file in \(path) (\(reason)); make it writable by the service's user, and check the disk is not full or read-only")
                break
            }
        }
        return problems
    }

    /// Creates and removes an empty file in `directory`; returns why that failed, or nil.
    private static func creationFailure(in directory: String) -> String? {
        let path = directory + "/.check-" + SecureRandom.token(byteCount: 6)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        close(descriptor)
        unlink(path)
        return nil
    }

    /// Real Pinterest endpoints must use https, except on loopback for a local stand-in.
    static func endpointProblems(_ configuration: Configuration) -> [String] {
        var problems: [String] = []
        for (field, url) in [("pinterest.authorization_url", configuration.pinterest.authorizationURL),
                             ("pinterest.api_url", configuration.pinterest.apiBaseURL)] {
            guard let parts = URLParts(url) else { continue }
            if parts.scheme == "http" && !ConfigurationLoader.isLoopback(parts.host) {
                problems.append("\(field): \(url) uses plain http on a host other than loopback, which would send the app secret and tokens unencrypted; use https")
            }
        }
        if configuration.pinterest.apiBaseURL.hasSuffix("/v5") {
            problems.append("pinterest.api_url: \(configuration.pinterest.apiBaseURL) ends with /v5, which the service adds itself; use https://api.pinterest.com")
        }
        for (index, application) in configuration.applications.enumerated() {
            for url in application.callbackURLs {
                guard let parts = URLParts(url), parts.scheme == "http", !ConfigurationLoader.isLoopback(parts.host) else { continue }
                problems.append("applications[\(index)].callbacks: \(url) uses plain http on a host other than loopback, which exposes the user's redirect to eavesdroppers; use https")
            }
        }
        return problems
    }

    /// In sandbox mode the sandbox registration must list the redirect URI, or the sandbox shows
    /// "Invalid redirect URI" instead of sending logins back.
    static func sandboxRegistrationProblems(_ configuration: Configuration, raw: JSON, path: String) -> [String] {
        let file = resolve(raw["pinterest"]?["sandbox_registration"]?.stringValue ?? "sandbox.json", relativeTo: path)
        guard let registration = readFile(file).flatMap({ try? JSONParser().parse($0) }) else { return [] }
        let redirectURIs = registration["redirect_uris"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard redirectURIs.contains(configuration.redirectURI) else {
            return ["pinterest.sandbox_registration: the redirect_uris of \(file) do not contain \(configuration.redirectURI), so the sandbox will not send logins back; add it there, or delete the file and run `pinterest-connection sandbox-registration --output \(file) --redirect-uri \(configuration.redirectURI)`"]
        }
        return []
    }

    /// Without an nginx file to compare with, `--socket` can only be checked for a usable directory.
    static func socketDirectoryProblems(_ socketPath: String) -> [String] {
        let directory = socketPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var status = stat()
        guard stat(directory.isEmpty ? "/" : directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            return ["--socket: the directory of \(socketPath) does not exist; create it (mode 0750, group of nginx's workers)"]
        }
        return []
    }

    /// Calls Pinterest's token endpoint with the app credentials and a made-up authorization code,
    /// and fetches the authorization page. Any HTTP answer proves the endpoint is reachable, and
    /// only a rejection of the credentials (HTTP 401 with Pinterest's code 2) counts against them.
    static func reachabilityProblems(_ configuration: Configuration) -> [String] {
        let settings = configuration.pinterest
        let client = HTTPClient(limits: HTTPClient.Limits(
            connectTimeoutMilliseconds: min(settings.connectTimeoutMilliseconds, probeConnectTimeoutMilliseconds),
            timeoutMilliseconds: min(settings.timeoutMilliseconds, probeTimeoutMilliseconds),
            maximumResponseBytes: 64 * 1024, verifyTLS: settings.verifyTLS))
        PinterestClient.initializeLibrary()
        var problems: [String] = []

        var form = FormFields()
        form.append("grant_type", "authorization_code")
        form.append("code", "pinterest-connection-check")
        form.append("redirect_uri", configuration.redirectURI)
        let credentials = Base64URL.encodeStandard(Array("\(settings.clientID):\(settings.clientSecret)".utf8))
        let tokenURL = settings.apiBaseURL + "/v5/oauth/token"
        switch client.send(url: tokenURL, headers: ["Authorization: Basic \(credentials)",
                                                    "Content-Type: application/x-www-form-urlencoded",
                                                    "Accept: application/json"],
                           body: form.encoded) {
        case .failure(let failure):
            problems.append("pinterest.api_url: \(tokenURL) is not reachable (\(describe(failure))); check DNS, firewall and proxy settings of this host")
        case .success(let answer):
            let code = (try? JSONParser(maximumDepth: 8).parse(answer.body))?["code"]?.intValue
            switch answer.status {
            case 401 where code == 2:
                problems.append("pinterest.client_secret: Pinterest rejected the app ID \(settings.clientID) or its secret (HTTP 401, code 2); copy both again from developers.pinterest.com")
            case 300..<400:
                problems.append("pinterest.api_url: \(tokenURL) answered with a redirect (HTTP \(answer.status)); set api_url to the API base itself, https://api.pinterest.com")
            case 404:
                problems.append("pinterest.api_url: \(tokenURL) answered 404; set api_url to the API base without /v5, https://api.pinterest.com")
            case 500...:
                problems.append("pinterest.api_url: \(tokenURL) answered HTTP \(answer.status); Pinterest may be down, try again later")
            default:
                print("ok: \(tokenURL) answered HTTP \(answer.status) and did not reject the app credentials")
            }
        }

        switch client.send(url: settings.authorizationURL, headers: [], body: nil) {
        case .failure(let failure):
            problems.append("pinterest.authorization_url: \(settings.authorizationURL) is not reachable from this host (\(describe(failure))); browsers may still reach it, but check the URL")
        case .success(let answer) where answer.status == 404 || answer.status >= 500:
            problems.append("pinterest.authorization_url: \(settings.authorizationURL) answered HTTP \(answer.status); use https://www.pinterest.com/oauth/")
        case .success:
            break
        }
        return problems
    }

    private static func describe(_ failure: HTTPClient.Failure) -> String {
        switch failure {
        case .timedOut(let reason): "timed out: \(reason)"
        case .unreachable(let reason): reason
        case .tooLarge(let limit): "answer larger than \(limit) bytes"
        case .failed(let reason): reason
        }
    }

    /// Resolves a path from the configuration file as the loader does: relative to the file's directory.
    static func resolve(_ file: String, relativeTo configurationPath: String) -> String {
        if file.hasPrefix("/") { return file }
        let slash = configurationPath.lastIndex(of: "/")
        return (slash.map { String(configurationPath[..<$0]) } ?? ".") + "/" + file
    }
}
