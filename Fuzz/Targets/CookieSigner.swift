// Session and transaction cookies. Unsigned input (first byte even) must never verify. Signed input
// (first byte odd) carries any payload under a valid MAC, as a holder of the signing key could
// send: verifying it must not crash, and what verifies must lie within its time limits.
import Crypto
@testable import PinterestConnection

let key = SigningKey(id: "k1", secret: Array("fuzz-session-key-0123456789abcdef".utf8))
let signer = CookieSigner(keys: [key])
let now: Int64 = 1_800_000_000
let maximumLifetime: Int64 = 86_400

func fuzzOne(_ bytes: [UInt8]) {
    guard let mode = bytes.first else { return }
    let (nameBytes, rest) = split(Array(bytes.dropFirst()))
    let cookieName = nameBytes.isEmpty ? "pc_session" : text(nameBytes)

    let value: String
    if mode & 1 == 0 {
        value = text(rest)
    } else {
        let signed = "k1." + Base64URL.encode(rest)
        let mac = HMACSHA256.authenticate(Array("\(cookieName)=\(signed)".utf8), key: key.secret)
        value = signed + "." + Base64URL.encode(mac)
    }

    switch signer.verify(cookieName: cookieName, value: value, now: now, maximumLifetime: maximumLifetime) {
    case .success(let verified):
        require(mode & 1 == 1, "an unsigned value verified")
        require(verified.expiresAt > now, "an expired value verified")
        require(verified.issuedAt <= now + CookieSigner.allowedClockSkewSeconds, "a value from the future verified")
        require(verified.expiresAt - verified.issuedAt <= maximumLifetime, "a value with a too long lifetime verified")
    case .failure:
        break
    }

    // A value signed for one cookie name never verifies under another.
    let issued = signer.sign(cookieName: cookieName, subject: "subject", issuedAt: now, expiresAt: now + 60)
    let otherName = cookieName + "x"
    if case .success = signer.verify(cookieName: otherName, value: issued, now: now, maximumLifetime: maximumLifetime) {
        require(false, "a value verified under another cookie name")
    }
}
