#if canImport(Glibc)
import Glibc
#endif
import HTTPKit

/// `pinterest-connection check`: validates a configuration without serving.
public enum ConfigurationCheck {
    /// Prints one line per problem and returns the exit status: 0 when nothing is wrong.
    public static func run(path: String) -> Int32 {
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(path: path)
        } catch {
            for problem in error.problems { print("error: \(problem)") }
            return 1
        }

        var problems: [String] = []
        problems += storeProblems(configuration.store.directory)
        problems += reachabilityProblems(configuration.pinterest)

        print("redirect URI to register at Pinterest: \(configuration.redirectURI)")
        print("scopes requested: \(configuration.pinterest.scopes.joined(separator: ","))")
        print("pinterest: \(configuration.pinterest.sandbox ? "embedded sandbox" : "app \(configuration.pinterest.clientID)")")
        for problem in problems { print("error: \(problem)") }
        if problems.isEmpty { print("ok: configuration \(path) is valid") }
        return problems.isEmpty ? 0 : 1
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
        var problems: [String] = []
        if status.st_mode & S_IFMT != S_IFDIR {
            problems.append("store.directory: \(directory) is not a directory")
        }
        if status.st_mode & 0o077 != 0 {
            problems.append("store.directory: \(directory) is readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 700 \(directory)")
        }
        if access(directory, W_OK) != 0 {
            problems.append("store.directory: \(directory) is not writable by this user; chown it to the service's user")
        }
        return problems
    }

    /// Calls the token endpoint without credentials: any HTTP answer proves it is reachable.
    static func reachabilityProblems(_ settings: PinterestSettings) -> [String] {
        var limited = settings
        limited.connectTimeoutMilliseconds = min(settings.connectTimeoutMilliseconds, 5000)
        limited.timeoutMilliseconds = min(settings.timeoutMilliseconds, 5000)
        let client = HTTPClient(limits: HTTPClient.Limits(
            connectTimeoutMilliseconds: limited.connectTimeoutMilliseconds,
            timeoutMilliseconds: limited.timeoutMilliseconds,
            maximumResponseBytes: 64 * 1024, verifyTLS: limited.verifyTLS))
        PinterestClient.initializeLibrary()
        var problems: [String] = []
        for (field, url) in [("pinterest.api_url", settings.apiBaseURL + "/v5/oauth/token"),
                             ("pinterest.authorization_url", settings.authorizationURL)] {
            switch client.send(url: url, headers: [], body: field == "pinterest.api_url" ? "" : nil) {
            case .success: continue
            case .failure(let failure):
                problems.append("\(field): \(url) is not reachable (\(failure)); check DNS, firewall and proxy settings of this host")
            }
        }
        return problems
    }
}
