#if canImport(Glibc)
import Glibc
#endif
import FastCGI
import HTTPKit
import PinterestConnection
import PinterestSandbox
import ProfileStore

/// `pinterest-connection COMMAND [OPTIONS]`; see `usage` below and the README.
let usage = """
    Usage:
      pinterest-connection serve --config FILE [--socket PATH] [--workers N]
          Serve the connection over FastCGI. Without --socket, a listening socket on fd 0 is used.
      pinterest-connection sandbox --registration FILE [--socket PATH] [--workers N]
          Serve the embedded Pinterest sandbox provider over FastCGI.
      pinterest-connection sandbox-registration --output FILE --redirect-uri URI
          Write a sandbox app registration (app ID, a random secret, redirect URIs) unless FILE exists.
      pinterest-connection check --config FILE [--nginx FILE] [--socket PATH]
          Validate a configuration, the store, the nginx snippet and the reachability of Pinterest
          without serving; exits 1 with one line per problem.
      pinterest-connection catalogue
          Print every error the service can answer with, one JSON object a line.
      pinterest-connection refresh-token --config FILE --user USER_ID
          Refresh a user's Pinterest tokens with the refresh grant.
      pinterest-connection store-bench ARGUMENTS
          Benchmark the file store; see BENCHMARKS.md.

    """

func fail(_ message: String) -> Never {
    var text = "pinterest-connection: \(message)\n"
    _ = text.withUTF8 { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// Options as `--name value` pairs; an unknown option or a missing value stops with the usage.
func parseOptions(_ arguments: ArraySlice<String>, allowed: Set<String>) -> [String: String] {
    var options: [String: String] = [:]
    var remaining = arguments
    while let name = remaining.popFirst() {
        if name == "--help" || name == "-h" {
            print(usage)
            exit(0)
        }
        guard name.hasPrefix("--"), allowed.contains(String(name.dropFirst(2))) else {
            fail("unknown option \(name)\n\n\(usage)")
        }
        guard let value = remaining.popFirst() else { fail("option \(name) needs a value\n\n\(usage)") }
        options[String(name.dropFirst(2))] = value
    }
    return options
}

func listeningSocket(_ options: [String: String]) -> ListeningSocket {
    if let path = options["socket"] {
        do {
            return try ListeningSocket.bind(path: path)
        } catch {
            fail(error.description)
        }
    }
    guard let inherited = ListeningSocket.inherited() else {
        fail("no --socket given and fd 0 is not a listening socket; pass --socket PATH")
    }
    return inherited
}

func responderConfiguration(name: String, _ options: [String: String]) -> Responder.Configuration {
    var configuration = Responder.Configuration(name: name)
    if let text = options["workers"] {
        guard let count = Int(text), (1...256).contains(count) else { fail("--workers must be a number from 1 to 256, not \(text)") }
        configuration.workerCount = count
    }
    return configuration
}

func loadConfiguration(_ options: [String: String]) -> Configuration {
    guard let path = options["config"] else { fail("missing --config FILE\n\n\(usage)") }
    do {
        return try ConfigurationLoader.load(path: path)
    } catch {
        fail(error.description)
    }
}

func openStore(_ configuration: Configuration) -> FileStore {
    do {
        return try FileStore(directory: configuration.store.directory, tokenKey: configuration.store.tokenKey)
    } catch {
        fail("cannot open the store: \(error.description)")
    }
}

let arguments = CommandLine.arguments.dropFirst()
guard let command = arguments.first else { fail(usage) }
let rest = arguments.dropFirst()

switch command {
case "serve":
    let options = parseOptions(rest, allowed: ["config", "socket", "workers"])
    let configuration = loadConfiguration(options)
    PinterestClient.initializeLibrary()
    let service = ConnectionService(configuration: configuration, store: openStore(configuration))
    Log.info("connection configured", [
        "public_url": configuration.publicURL,
        "redirect_uri": configuration.redirectURI,
        "pinterest": configuration.pinterest.sandbox ? "sandbox" : configuration.pinterest.apiBaseURL,
        "sync_user_profile": String(configuration.syncUserProfile),
        "applications": String(configuration.applications.count),
    ])
    let responder = Responder(configuration: responderConfiguration(name: "connection", options),
                              socket: listeningSocket(options), handler: service.handle,
                              onTick: service.purgeExpired)
    exit(responder.run())

case "sandbox":
    let options = parseOptions(rest, allowed: ["registration", "socket", "workers"])
    guard let path = options["registration"] else { fail("missing --registration FILE\n\n\(usage)") }
    let registration: SandboxRegistration
    do {
        registration = try SandboxRegistration.load(path: path)
    } catch {
        fail("\(error)")
    }
    let provider = SandboxProvider(registration: registration)
    let responder = Responder(configuration: responderConfiguration(name: "sandbox", options),
                              socket: listeningSocket(options), handler: provider.handle,
                              onTick: provider.purgeExpired)
    exit(responder.run())

case "sandbox-registration":
    let options = parseOptions(rest, allowed: ["output", "redirect-uri"])
    guard let path = options["output"], let redirectURI = options["redirect-uri"] else {
        fail("sandbox-registration needs --output FILE and --redirect-uri URI")
    }
    if access(path, F_OK) == 0 {
        print("kept existing sandbox registration \(path)")
        exit(0)
    }
    do {
        try SandboxRegistration.makeDefault(redirectURIs: [redirectURI]).save(path: path)
    } catch {
        fail("cannot write \(path): \(error)")
    }
    print("wrote sandbox registration \(path)")

case "check":
    let options = parseOptions(rest, allowed: ["config", "nginx", "socket"])
    guard let path = options["config"] else { fail("missing --config FILE\n\n\(usage)") }
    exit(ConfigurationCheck.run(path: path, nginxPath: options["nginx"], socketPath: options["socket"]))

case "catalogue":
    for entry in ErrorCatalogue.all { print(entry.json.serialized()) }

case "refresh-token":
    let options = parseOptions(rest, allowed: ["config", "user"])
    guard let userID = options["user"] else { fail("missing --user USER_ID") }
    let configuration = loadConfiguration(options)
    PinterestClient.initializeLibrary()
    let service = ConnectionService(configuration: configuration, store: openStore(configuration))
    switch service.refreshPinterestTokens(userID: userID) {
    case .success(let summary):
        print(summary)
    case .failure(let error):
        fail(error.description)
    }

case "store-bench":
    exit(ProfileStoreBenchmark.run(arguments: Array(rest)))

case "help", "--help", "-h":
    print(usage)

default:
    fail("unknown command \(command)\n\n\(usage)")
}
