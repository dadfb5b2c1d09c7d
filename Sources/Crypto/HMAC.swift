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
