import Testing
@testable import Crypto

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

@Suite struct HMACTests {
    // RFC 4231, test case 2.
    static let key = Array("Jefe".utf8)
    static let message = Array("what do ya want for nothing?".utf8)
    static let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"

    @Test func oneShotMatchesRFC4231() {
        #expect(hex(HMACSHA256.authenticate(Self.message, key: Self.key)) == Self.expected)
    }

    @Test func preparedKeyMatchesRFC4231() {
        #expect(hex(HMACSHA256Key(Self.key).authenticate(Self.message)) == Self.expected)
    }

    @Test func preparedKeyIsReusable() {
        let key = HMACSHA256Key(Self.key)
        _ = key.authenticate(Array("first".utf8))
        #expect(hex(key.authenticate(Self.message)) == Self.expected)
    }

    @Test func preparedKeyMatchesOneShotForLongKeys() {
        let longKey = [UInt8](repeating: 0xAA, count: 131)
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(HMACSHA256Key(longKey).authenticate(message) == HMACSHA256.authenticate(message, key: longKey))
    }

    @Test func preparedKeyAcrossThreads() async {
        let key = HMACSHA256Key(Self.key)
        await withTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { hex(key.authenticate(Self.message)) } }
            for await result in group { #expect(result == Self.expected) }
        }
    }

    @Test func validMACAccepted() {
        let mac = HMACSHA256.authenticate(Self.message, key: Self.key)
        #expect(HMACSHA256Key(Self.key).isValid(mac, for: Self.message))
    }

    @Test func alteredMACRejected() {
        var mac = HMACSHA256.authenticate(Self.message, key: Self.key)
        mac[31] ^= 1
        #expect(!HMACSHA256Key(Self.key).isValid(mac, for: Self.message))
    }

    @Test func truncatedMACRejected() {
        let mac = HMACSHA256.authenticate(Self.message, key: Self.key)
        #expect(!HMACSHA256Key(Self.key).isValid(Array(mac.prefix(16)), for: Self.message))
    }

    @Test func constantTimeEqualsComparesBytes() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
    }
}

@Suite struct AESGCMTests {
    static let key = [UInt8](repeating: 7, count: 32)

    @Test func roundTrip() throws {
        let box = try AESGCM(key: Self.key).seal(Array("pina_token".utf8), associatedData: Array("user".utf8))
        #expect(try AESGCM(key: Self.key).open(box, associatedData: Array("user".utf8)) == Array("pina_token".utf8))
    }

    @Test func ciphertextHidesPlaintext() throws {
        let box = try AESGCM(key: Self.key).seal(Array("pina_token".utf8))
        #expect(!hex(box).contains(hex(Array("pina_token".utf8))))
    }

    @Test func otherAssociatedDataFails() throws {
        let box = try AESGCM(key: Self.key).seal(Array("secret".utf8), associatedData: Array("user-a".utf8))
        #expect(throws: AESGCM.Error.authenticationFailed) {
            try AESGCM(key: Self.key).open(box, associatedData: Array("user-b".utf8))
        }
    }

    @Test func tamperedBoxFails() throws {
        var box = try AESGCM(key: Self.key).seal(Array("secret".utf8))
        box[14] ^= 0x80
        #expect(throws: AESGCM.Error.authenticationFailed) { try AESGCM(key: Self.key).open(box) }
    }

    @Test func shortBoxFails() {
        #expect(throws: AESGCM.Error.sealedBoxTooShort) { try AESGCM(key: Self.key).open([1, 2, 3]) }
    }

    @Test func wrongKeyLengthRejected() {
        #expect(throws: AESGCM.Error.invalidKeyLength(16)) { try AESGCM(key: [UInt8](repeating: 0, count: 16)) }
    }

    @Test func nonceIsFreshEachTime() throws {
        let cipher = try AESGCM(key: Self.key)
        #expect(try cipher.seal([1]) != cipher.seal([1]))
    }
}

@Suite struct Base64URLTests {
    @Test func roundTripAllLengths() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    @Test func rejectsPaddingAndStandardAlphabet() {
        #expect(Base64URL.decode("YQ==") == nil)
        #expect(Base64URL.decode("a+b/") == nil)
    }

    @Test func rejectsNonZeroTrailingBits() {
        #expect(Base64URL.decode("YR") == nil)
        #expect(Base64URL.decode("YQ") == [0x61])
    }

    @Test func rejectsImpossibleLength() {
        #expect(Base64URL.decode("Y") == nil)
    }

    @Test func standardRoundTripForBasicAuthentication() {
        let text = Base64URL.encodeStandard(Array("demo:demo-secret".utf8))
        #expect(text == "ZGVtbzpkZW1vLXNlY3JldA==")
        #expect(Base64URL.decodeStandard(text) == Array("demo:demo-secret".utf8))
    }

    @Test func randomTokensDiffer() {
        #expect(SecureRandom.token() != SecureRandom.token())
        #expect(SecureRandom.token(byteCount: 32).utf8.count == 43)
    }
}
