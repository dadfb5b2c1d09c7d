import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface, for secrets kept at rest such as Pinterest tokens.
/// A sealed box is `nonce (12 bytes) || ciphertext || tag (16 bytes)`.
public struct AESGCM: Sendable {
    public enum Error: Swift.Error, Equatable {
        case invalidKeyLength(Int)
        case sealedBoxTooShort
        case authenticationFailed
        case openSSLFailure(String)
    }

    public static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16

    private let key: [UInt8]

    public init(key: [UInt8]) throws(Error) {
        guard key.count == AESGCM.keyLength else { throw .invalidKeyLength(key.count) }
        self.key = key
    }

    /// Encrypts with a fresh random nonce. `associatedData` is authenticated, not encrypted: it
    /// binds the box to its record, so a box copied into another record fails to open.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) throws(Error) -> [UInt8] {
        let nonce = SecureRandom.bytes(AESGCM.nonceLength)
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSLFailure("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }

        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + AESGCM.tagLength)
        var tag = [UInt8](repeating: 0, count: AESGCM.tagLength)
        var length: Int32 = 0
        var total: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            copenssl_gcm_set_iv_length(context, Int32(AESGCM.nonceLength)) == 1,
            EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1
        else { throw .openSSLFailure("EVP_EncryptInit_ex") }
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw .openSSLFailure("EVP_EncryptUpdate(aad)")
            }
        }
        guard EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1 else {
            throw .openSSLFailure("EVP_EncryptUpdate")
        }
        total = length
        let finalized = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(total), &length)
        }
        guard finalized == 1 else { throw .openSSLFailure("EVP_EncryptFinal_ex") }
        total += length
        guard copenssl_gcm_get_tag(context, Int32(AESGCM.tagLength), &tag) == 1 else {
            throw .openSSLFailure("EVP_CTRL_GCM_GET_TAG")
        }
        return nonce + ciphertext.prefix(Int(total)) + tag
    }

    public func open(_ box: [UInt8], associatedData: [UInt8] = []) throws(Error) -> [UInt8] {
        guard box.count >= AESGCM.nonceLength + AESGCM.tagLength else { throw .sealedBoxTooShort }
        let nonce = Array(box.prefix(AESGCM.nonceLength))
        let ciphertext = Array(box.dropFirst(AESGCM.nonceLength).dropLast(AESGCM.tagLength))
        var tag = Array(box.suffix(AESGCM.tagLength))
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSLFailure("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }

        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + AESGCM.tagLength)
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            copenssl_gcm_set_iv_length(context, Int32(AESGCM.nonceLength)) == 1,
            EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1
        else { throw .openSSLFailure("EVP_DecryptInit_ex") }
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw .openSSLFailure("EVP_DecryptUpdate(aad)")
            }
        }
        guard EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1 else {
            throw .openSSLFailure("EVP_DecryptUpdate")
        }
        let total = length
        guard copenssl_gcm_set_tag(context, Int32(AESGCM.tagLength), &tag) == 1 else {
            throw .openSSLFailure("EVP_CTRL_GCM_SET_TAG")
        }
        let verified = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + Int(total), &length)
        }
        // EVP_DecryptFinal_ex fails exactly when the tag does not match.
        guard verified == 1 else { throw .authenticationFailed }
        return Array(plaintext.prefix(Int(total + length)))
    }
}
