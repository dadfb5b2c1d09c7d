import COpenSSL

/// HMAC-SHA256 through OpenSSL, and a comparison whose time does not depend on where bytes differ.
public enum HMACSHA256 {
    public static let length = 32

    public static func authenticate(_ message: some Collection<UInt8>, key: [UInt8]) -> [UInt8] {
        let input = Array(message)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0
        let result = key.withUnsafeBufferPointer { keyBuffer in
            input.withUnsafeBufferPointer { messageBuffer in
                HMAC(EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count),
                     messageBuffer.baseAddress, messageBuffer.count, &digest, &digestLength)
            }
        }
        precondition(result != nil && digestLength == UInt32(length), "HMAC-SHA256 failed in OpenSSL")
        return Array(digest.prefix(length))
    }

    /// Checks a MAC in constant time with `CRYPTO_memcmp`; a MAC of the wrong length fails at once,
    /// which reveals only the length, a public fact.
    public static func isValid(_ mac: [UInt8], for message: some Collection<UInt8>, key: [UInt8]) -> Bool {
        guard mac.count == length else { return false }
        return constantTimeEquals(mac, authenticate(message, key: key))
    }
}

/// An HMAC-SHA256 key prepared once, for keys that sign many messages such as cookie keys.
/// Each message duplicates a keyed OpenSSL context instead of keying a new one, which saves the
/// algorithm lookups and key-pad hashing of `HMACSHA256.authenticate`.
public final class HMACSHA256Key: @unchecked Sendable {
    /// Keyed, and never updated: threads only duplicate it, which reads it.
    private let keyed: OpaquePointer

    public init(_ key: [UInt8]) {
        let context = key.withUnsafeBufferPointer { copenssl_hmac_sha256_keyed($0.baseAddress, $0.count) }
        guard let context else { fatalError("keying HMAC-SHA256 failed in OpenSSL") }
        keyed = context
    }

    deinit {
        EVP_MAC_CTX_free(keyed)
    }

    public func authenticate(_ message: some Collection<UInt8>) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(keyed) else { fatalError("EVP_MAC_CTX_dup failed: out of memory") }
        defer { EVP_MAC_CTX_free(context) }
        var digest = [UInt8](repeating: 0, count: HMACSHA256.length)
        var digestLength = 0
        let updated = message.withContiguousStorageIfAvailable { EVP_MAC_update(context, $0.baseAddress, $0.count) }
            ?? Array(message).withUnsafeBufferPointer { EVP_MAC_update(context, $0.baseAddress, $0.count) }
        let finished = EVP_MAC_final(context, &digest, &digestLength, HMACSHA256.length)
        precondition(updated == 1 && finished == 1 && digestLength == HMACSHA256.length, "HMAC-SHA256 failed in OpenSSL")
        return digest
    }

    /// Checks a MAC in constant time; a MAC of the wrong length fails at once.
    public func isValid(_ mac: [UInt8], for message: some Collection<UInt8>) -> Bool {
        guard mac.count == HMACSHA256.length else { return false }
        return constantTimeEquals(mac, authenticate(message))
    }
}

/// Compares two byte strings of equal length in time that depends only on the length.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    if lhs.isEmpty { return true }
    return lhs.withUnsafeBytes { left in
        rhs.withUnsafeBytes { right in
            CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
        }
    }
}

/// SHA-256 of some bytes, for ids derived from secrets (never the secrets themselves).
public func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
    let input = Array(bytes)
    var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
    input.withUnsafeBufferPointer { buffer in
        _ = SHA256(buffer.baseAddress, buffer.count, &digest)
    }
    return digest
}
