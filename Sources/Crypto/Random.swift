import COpenSSL

/// Unpredictable bytes from OpenSSL's CSPRNG, for states, session ids, codes and nonces.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let status = buffer.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // Handing out predictable states or session ids would be worse than stopping.
        precondition(status == 1, "RAND_bytes failed: OpenSSL's random generator is not seeded")
        return buffer
    }

    /// A URL-safe token carrying `byteCount` random bytes (32 bytes give 256 bits).
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }
}
