// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pinterest-connection",
    products: [
        .executable(name: "pinterest-connection", targets: ["pinterest-connection"]),
    ],
    targets: [
        // C libraries from Debian's -dev packages, each behind a module map and a header of typed
        // shims for the calls Swift cannot make directly (C variadic functions, macros).
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Requests, responses, routing, cookies, forms, JSON values and logging: no C at all.
        .target(name: "HTTPKit"),
        // HMAC, AES-256-GCM, secure random bytes and constant-time comparison through OpenSSL.
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        // The only module that touches libfcgi's unsafe pointers.
        .target(name: "FastCGI", dependencies: ["CFastCGI", "HTTPKit"]),
        // The file-backed store of users, sessions and one-time login state.
        .target(name: "ProfileStore", dependencies: ["HTTPKit", "Crypto"]),
        // The embedded Pinterest OAuth 2.0 and API v5 provider used when no credentials are set.
        .target(name: "PinterestSandbox", dependencies: ["HTTPKit", "Crypto"]),
        // The connection itself: configuration, the login flow, sessions and the Pinterest client.
        .target(name: "PinterestConnection", dependencies: ["HTTPKit", "Crypto", "CCurl", "ProfileStore"]),
        .executableTarget(
            name: "pinterest-connection",
            dependencies: ["FastCGI", "HTTPKit", "PinterestConnection", "PinterestSandbox"]
        ),

        .testTarget(name: "HTTPKitTests", dependencies: ["HTTPKit"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "ProfileStoreTests", dependencies: ["ProfileStore"]),
        .testTarget(name: "PinterestSandboxTests", dependencies: ["PinterestSandbox"]),
        .testTarget(name: "PinterestConnectionTests", dependencies: ["PinterestConnection"]),
    ]
)
