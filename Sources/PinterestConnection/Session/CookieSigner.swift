import Crypto
import HTTPKit

/// Signs and verifies cookie values with HMAC-SHA256 over the cookie's name and value.
///
/// A signed value reads `{key id}.{payload}.{mac}` with the payload and MAC in unpadded base64url.
/// The payload is `{subject}|{issued at}|{expires at}` with Unix seconds. The cookie's name is part
/// of the MAC input, so a value moved under another cookie name fails to verify.
public struct CookieSigner: Sendable {
    public struct Verified: Sendable, Equatable {
        public var subject: String
        public var issuedAt: Int64
        public var expiresAt: Int64
        public var keyID: String
    }

    public enum Rejection: Error, Equatable {
        case malformed
        case unknownKey
        case badSignature
        case expired
        case issuedInFuture
        case lifetimeTooLong
    }

    /// The configured keys with their HMAC contexts prepared once, in configuration order.
    private let keys: [(id: String, mac: HMACSHA256Key)]
    /// How far a cookie's issue time may lie ahead of this host's clock, for clocks of several
    /// hosts that drift apart.
    public static let allowedClockSkewSeconds: Int64 = 60

    public init(keys: [SigningKey]) {
        precondition(!keys.isEmpty, "a cookie signer needs at least one key")
        self.keys = keys.map { ($0.id, HMACSHA256Key($0.secret)) }
    }

    /// Signs a subject with the first key. The subject must not contain `|`.
    public func sign(cookieName: String, subject: String, issuedAt: Int64, expiresAt: Int64) -> String {
        let key = keys[0]
        let payload = Base64URL.encode(Array("\(subject)|\(issuedAt)|\(expiresAt)".utf8))
        let signed = "\(key.id).\(payload)"
        let mac = key.mac.authenticate(Array("\(cookieName)=\(signed)".utf8))
        return "\(signed).\(Base64URL.encode(mac))"
    }

    /// Verifies a value against every key, by key id, and checks its times against `now`.
    /// `maximumLifetime` rejects values whose expiry lies further from their issue time than any
    /// value this service signs, so a stolen key cannot mint near-eternal cookies unnoticed.
    public func verify(cookieName: String, value: String, now: Int64, maximumLifetime: Int64) -> Result<Verified, Rejection> {
        // The value is cut at its two dots, found on bytes: splitting it by `Character` cost more
        // than the HMAC itself.
        let utf8 = value.utf8
        guard utf8.count <= 1024,
            let firstDot = utf8.firstIndex(of: UInt8(ascii: ".")),
            let lastDot = utf8.lastIndex(of: UInt8(ascii: ".")),
            firstDot != lastDot,
            !utf8[utf8.index(after: firstDot)..<lastDot].contains(UInt8(ascii: "."))
        else { return .failure(.malformed) }
        let keyID = String(value[..<firstDot])
        guard let key = keys.first(where: { $0.id == keyID }) else { return .failure(.unknownKey) }
        guard let mac = Base64URL.decode(String(value[utf8.index(after: lastDot)...])) else { return .failure(.malformed) }

        var message = Array(cookieName.utf8)
        message.append(UInt8(ascii: "="))
        message.append(contentsOf: utf8[..<lastDot])
        guard key.mac.isValid(mac, for: message) else {
            return .failure(.badSignature)
        }

        // Only an authentic payload is parsed.
        guard let payloadBytes = Base64URL.decode(String(value[utf8.index(after: firstDot)..<lastDot])),
            let payload = String(validating: payloadBytes, as: UTF8.self)
        else { return .failure(.malformed) }
        let fields = payload.utf8.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false).map { Substring($0) }
        guard fields.count == 3, let issuedAt = Int64(fields[1]), let expiresAt = Int64(fields[2]) else {
            return .failure(.malformed)
        }
        if issuedAt > now + CookieSigner.allowedClockSkewSeconds { return .failure(.issuedInFuture) }
        if expiresAt <= now { return .failure(.expired) }
        // Timestamps far apart, such as Int64.min and Int64.max, would overflow a plain subtraction
        // and stop the process. Only a holder of a signing key can send them.
        let (lifetime, overflowed) = expiresAt.subtractingReportingOverflow(issuedAt)
        if overflowed || lifetime > maximumLifetime { return .failure(.lifetimeTooLong) }
        return .success(Verified(subject: String(fields[0]), issuedAt: issuedAt, expiresAt: expiresAt, keyID: keyID))
    }
}
