// Base64url and standard base64 decoding: never crashes, and accepts exactly one encoding per
// byte string, so a MAC or cookie cannot be varied without changing its bytes.
import Crypto

func fuzzOne(_ bytes: [UInt8]) {
    let input = text(bytes)
    if let decoded = Base64URL.decode(input) {
        require(Base64URL.encode(decoded) == input, "base64url accepted a non-canonical encoding")
    }
    if let decoded = Base64URL.decodeStandard(input) {
        require(Base64URL.encodeStandard(decoded) == input, "base64 accepted a non-canonical encoding")
    }
    let encoded = Base64URL.encode(bytes)
    require(Base64URL.decode(encoded) == bytes, "base64url does not round-trip")
    require(Base64URL.decodeStandard(Base64URL.encodeStandard(bytes)) == bytes, "base64 does not round-trip")
}
