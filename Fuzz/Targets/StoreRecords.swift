// Record files as a damaged disk or another program may leave them: decoding any bytes as a user,
// session, login state or session index fails with corrupt_record or succeeds, never crashes.
import Crypto
@testable import ProfileStore

let cipher = try! AESGCM(key: [UInt8](repeating: 0x42, count: 32))

func fuzzOne(_ bytes: [UInt8]) {
    guard let kind = bytes.first else { return }
    let content = Array(bytes.dropFirst())
    do {
        switch kind % 5 {
        case 0: _ = try RecordCoding.decodeUser(content, path: "fuzz", userID: "pinterest|1", cipher: cipher)
        case 1: _ = try RecordCoding.decodeUser(content, path: "fuzz", key: StoreLayout.key(for: "pinterest|1"), cipher: cipher)
        case 2: _ = try RecordCoding.decodeSession(content, id: "session", path: "fuzz")
        case 3: _ = try RecordCoding.decodeLoginState(content, id: "state", path: "fuzz")
        default: _ = try RecordCoding.decodeSessionIndex(content, path: "fuzz")
        }
    } catch {
        guard case .corruptRecord = error else {
            require(false, "decoding failed with \(error) instead of corruptRecord")
            return
        }
    }
}
