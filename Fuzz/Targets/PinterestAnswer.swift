// Pinterest's answers to the token and user-account calls, with any status, headers and body:
// classifying them never crashes, a token grant's lifetimes can be added to the current time, and
// a failure never carries more than the bounded excerpts of what Pinterest sent.
import HTTPKit
@testable import PinterestConnection

let client = PinterestClient(
    settings: PinterestSettings(
        clientID: "1234567", clientSecret: "fuzz-secret", authorizationURL: "https://pinterest.example/oauth/",
        apiBaseURL: "http://127.0.0.1:9", scopes: ["user_accounts:read"], sandbox: false,
        connectTimeoutMilliseconds: 100, timeoutMilliseconds: 200, maximumResponseBytes: 1 << 16, verifyTLS: true),
    redirectURI: "http://127.0.0.1:8080/login/callback")
let statuses = [200, 200, 200, 200, 201, 204, 301, 302, 400, 401, 403, 404, 429, 500, 502, 503, 599, 0, 100, 999]
let now: Int64 = 1_800_000_000

func fuzzOne(_ bytes: [UInt8]) {
    guard bytes.count >= 2 else { return }
    let status = statuses[Int(bytes[0]) % statuses.count]
    let step = bytes[1] & 1 == 0 ? "token_exchange" : "user_account"
    let (headerBytes, body) = split(Array(bytes.dropFirst(2)))
    var headers: [String: String] = [:]
    for line in text(headerBytes).split(separator: "\n").prefix(100) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...])
    }

    let result = client.classify(.success(HTTPClient.Result(status: status, body: body, headers: headers)), step: step)
    switch result {
    case .failure(let failure):
        require(status != 200 || failure.kind == .invalidAnswer, "a 200 failed as \(failure.kind)")
        require((failure.requestID?.count ?? 0) <= 64, "the request id is not bounded")
        require((failure.pinterestMessage?.count ?? 0) <= 300, "the message is not bounded")
    case .success(let answer):
        require(status == 200, "HTTP \(status) succeeded")
        guard step == "token_exchange" else { return }
        guard case .success(let grant) = client.tokenGrant(from: answer, step: step) else { return }
        require(!grant.accessToken.isEmpty, "a grant without an access token")
        require((1...PinterestClient.maximumTokenLifetime).contains(grant.expiresIn), "expires_in \(grant.expiresIn) accepted")
        // What the login and the token refresh compute from a grant must not overflow.
        _ = now + grant.expiresIn
        if let refreshLifetime = grant.refreshTokenExpiresIn { _ = now + refreshLifetime }
        _ = grant.scopes
    }
}
