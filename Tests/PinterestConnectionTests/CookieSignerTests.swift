import Crypto
import Testing
@testable import PinterestConnection

@Suite struct CookieSignerTests {
    static let now: Int64 = 1_750_000_000
    static let day: Int64 = 86_400
    static let firstSecret = Array("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0".utf8)
    static let secondSecret = Array("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90".utf8)
    static let signer = CookieSigner(keys: [SigningKey(id: "k1", secret: firstSecret)])

    /// Signs a session cookie issued now for one day.
    static func sessionCookie(subject: String = "session-id", signer: CookieSigner = signer) -> String {
        signer.sign(cookieName: "pc_session", subject: subject, issuedAt: now, expiresAt: now + day)
    }

    /// Returns why a session cookie value is rejected now, or `nil` when it verifies.
    static func rejection(of value: String, name: String = "pc_session", signer: CookieSigner = signer,
                          now: Int64 = now) -> CookieSigner.Rejection? {
        switch signer.verify(cookieName: name, value: value, now: now, maximumLifetime: day) {
        case .success: nil
        case .failure(let rejection): rejection
        }
    }

    /// Builds a value in the signer's format around any payload text, with a valid MAC, to reach
    /// the checks that run only after the MAC.
    static func signedValue(payload: String, name: String = "pc_session", keyID: String = "k1",
                            secret: [UInt8] = firstSecret) -> String {
        let signed = "\(keyID).\(Base64URL.encode(Array(payload.utf8)))"
        let mac = HMACSHA256.authenticate(Array("\(name)=\(signed)".utf8), key: secret)
        return "\(signed).\(Base64URL.encode(mac))"
    }

    @Test func roundTrip() throws {
        let verified = try Self.signer.verify(cookieName: "pc_session", value: Self.sessionCookie(), now: Self.now,
                                              maximumLifetime: Self.day).get()
        #expect(verified.subject == "session-id")
        #expect(verified.issuedAt == Self.now)
        #expect(verified.expiresAt == Self.now + Self.day)
        #expect(verified.keyID == "k1")
    }

    @Test func formatMatchesDocumentation() {
        let parts = Self.sessionCookie().split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(parts[0] == "k1")
        #expect(Base64URL.decode(String(parts[1])) == Array("session-id|\(Self.now)|\(Self.now + Self.day)".utf8))
        #expect(Base64URL.decode(String(parts[2]))?.count == 32)
    }

    @Test func handMadeValueMatchesSigner() {
        let value = Self.signedValue(payload: "session-id|\(Self.now)|\(Self.now + Self.day)")
        #expect(value == Self.sessionCookie())
    }

    @Test func tamperedPayloadRejected() {
        let parts = Self.sessionCookie().split(separator: ".")
        let otherPayload = Base64URL.encode(Array("other-session|\(Self.now)|\(Self.now + Self.day)".utf8))
        #expect(Self.rejection(of: "\(parts[0]).\(otherPayload).\(parts[2])") == .badSignature)
    }

    @Test func payloadFromAnotherCookieRejected() {
        let mine = Self.sessionCookie(subject: "mine").split(separator: ".")
        let theirs = Self.sessionCookie(subject: "theirs").split(separator: ".")
        #expect(Self.rejection(of: "\(mine[0]).\(theirs[1]).\(mine[2])") == .badSignature)
    }

    @Test func tamperedMACRejected() {
        var characters = Array(Self.sessionCookie())
        let index = characters.lastIndex(of: ".")! + 1
        characters[index] = characters[index] == "A" ? "B" : "A"
        #expect(Self.rejection(of: String(characters)) == .badSignature)
    }

    @Test func truncatedMACRejected() {
        #expect(Self.rejection(of: String(Self.sessionCookie().dropLast())) != nil)
    }

    @Test func macCutToHalfRejected() {
        let value = Self.sessionCookie()
        let dot = value.lastIndex(of: ".")!
        let mac = Base64URL.decode(String(value[value.index(after: dot)...]))!
        #expect(Self.rejection(of: String(value[...dot]) + Base64URL.encode(mac.prefix(16))) == .badSignature)
    }

    @Test func paddedMACRejected() {
        #expect(Self.rejection(of: Self.sessionCookie() + "=") == .malformed)
    }

    @Test func lengthenedMACRejected() {
        #expect(Self.rejection(of: Self.sessionCookie() + "AAAA") == .badSignature)
    }

    @Test func missingMACRejected() {
        let value = Self.sessionCookie()
        #expect(Self.rejection(of: String(value[..<value.lastIndex(of: ".")!])) == .malformed)
    }

    @Test func emptyMACRejected() {
        let value = Self.sessionCookie()
        #expect(Self.rejection(of: String(value[...value.lastIndex(of: ".")!])) == .badSignature)
    }

    @Test func extraPartRejected() {
        #expect(Self.rejection(of: Self.sessionCookie() + ".extra") == .malformed)
    }

    @Test func emptyValueRejected() {
        #expect(Self.rejection(of: "") == .malformed)
    }

    @Test func overlongValueRejected() {
        let value = Self.sessionCookie(subject: String(repeating: "s", count: 1000))
        #expect(Self.rejection(of: value) == .malformed)
    }

    @Test func unknownKeyIDRejected() {
        #expect(Self.rejection(of: "k9" + Self.sessionCookie().dropFirst(2)) == .unknownKey)
    }

    @Test func keyIDComparedExactly() {
        #expect(Self.rejection(of: "K1" + Self.sessionCookie().dropFirst(2)) == .unknownKey)
    }

    @Test func wrongKeyUnderSameIDRejected() {
        let impostor = CookieSigner(keys: [SigningKey(id: "k1", secret: Self.secondSecret)])
        #expect(Self.rejection(of: Self.sessionCookie(signer: impostor)) == .badSignature)
    }

    @Test func nameSwapRejected() {
        let value = Self.signer.sign(cookieName: "pc_tx_abcdefghijkl", subject: "session-id",
                                     issuedAt: Self.now, expiresAt: Self.now + Self.day)
        #expect(Self.rejection(of: value, name: "pc_session") == .badSignature)
    }

    @Test func nameIsPartOfMAC() {
        #expect(Self.rejection(of: Self.sessionCookie(), name: "pc_session2") == .badSignature)
    }

    @Test func expiredRejected() {
        #expect(Self.rejection(of: Self.sessionCookie(), now: Self.now + Self.day + 1) == .expired)
    }

    @Test func expiresAtNowRejected() {
        #expect(Self.rejection(of: Self.sessionCookie(), now: Self.now + Self.day) == .expired)
    }

    @Test func lastSecondAccepted() {
        #expect(Self.rejection(of: Self.sessionCookie(), now: Self.now + Self.day - 1) == nil)
    }

    @Test func issuedInFutureRejected() {
        let value = Self.signer.sign(cookieName: "pc_session", subject: "s", issuedAt: Self.now + 61, expiresAt: Self.now + 600)
        #expect(Self.rejection(of: value) == .issuedInFuture)
    }

    @Test func clockSkewTolerated() {
        let value = Self.signer.sign(cookieName: "pc_session", subject: "s", issuedAt: Self.now + 60, expiresAt: Self.now + 600)
        #expect(Self.rejection(of: value) == nil)
    }

    @Test func millisecondIssueTimeRejected() {
        let value = Self.signer.sign(cookieName: "pc_session", subject: "s", issuedAt: Self.now * 1000,
                                     expiresAt: (Self.now + Self.day) * 1000)
        #expect(Self.rejection(of: value) == .issuedInFuture)
    }

    @Test func millisecondExpiryRejected() {
        let value = Self.signer.sign(cookieName: "pc_session", subject: "s", issuedAt: Self.now,
                                     expiresAt: (Self.now + Self.day) * 1000)
        #expect(Self.rejection(of: value) == .lifetimeTooLong)
    }

    @Test func overlongLifetimeRejected() {
        let value = Self.signer.sign(cookieName: "pc_session", subject: "s", issuedAt: Self.now, expiresAt: Self.now + Self.day + 1)
        #expect(Self.rejection(of: value) == .lifetimeTooLong)
    }

    @Test func issueTimeLongAgoRejected() {
        let value = Self.signer.sign(cookieName: "pc_session", subject: "s", issuedAt: 0, expiresAt: Self.now + 600)
        #expect(Self.rejection(of: value) == .lifetimeTooLong)
    }

    @Test func extremeTimestampsRejected() {
        let value = Self.signer.sign(cookieName: "pc_session", subject: "s", issuedAt: .min, expiresAt: .max)
        #expect(Self.rejection(of: value) == .lifetimeTooLong)
    }

    @Test func nonNumericTimestampsRejected() {
        #expect(Self.rejection(of: Self.signedValue(payload: "s|now|later")) == .malformed)
    }

    @Test func missingTimestampRejected() {
        #expect(Self.rejection(of: Self.signedValue(payload: "s|\(Self.now)")) == .malformed)
    }

    @Test func subjectWithSeparatorRejected() {
        let value = Self.sessionCookie(subject: "a|b")
        #expect(Self.rejection(of: value) == .malformed)
    }

    @Test func invalidUTF8PayloadRejected() {
        let signed = "k1." + Base64URL.encode([0xFF, 0xFE, 0x7C])
        let mac = HMACSHA256.authenticate(Array("pc_session=\(signed)".utf8), key: Self.firstSecret)
        #expect(Self.rejection(of: "\(signed).\(Base64URL.encode(mac))") == .malformed)
    }

    @Test func rotationKeepsOldCookies() {
        let old = Self.sessionCookie()
        let rotated = CookieSigner(keys: [SigningKey(id: "k2", secret: Self.secondSecret),
                                          SigningKey(id: "k1", secret: Self.firstSecret)])
        #expect(Self.rejection(of: old, signer: rotated) == nil)
    }

    @Test func rotationSignsWithFirstKey() {
        let rotated = CookieSigner(keys: [SigningKey(id: "k2", secret: Self.secondSecret),
                                          SigningKey(id: "k1", secret: Self.firstSecret)])
        let value = Self.sessionCookie(signer: rotated)
        #expect(value.hasPrefix("k2."))
        #expect(Self.rejection(of: value, signer: rotated) == nil)
    }

    @Test func retiredKeyRejected() {
        let rotated = CookieSigner(keys: [SigningKey(id: "k2", secret: Self.secondSecret)])
        #expect(Self.rejection(of: Self.sessionCookie(), signer: rotated) == .unknownKey)
    }

    @Test func newKeyUnknownToOldSigner() {
        let rotated = CookieSigner(keys: [SigningKey(id: "k2", secret: Self.secondSecret),
                                          SigningKey(id: "k1", secret: Self.firstSecret)])
        #expect(Self.rejection(of: Self.sessionCookie(signer: rotated)) == .unknownKey)
    }
}
