// Bodies of PATCH /api/users/{id}: any bytes are a valid change or an invalid_body problem, and a
// valid change applied to a stored profile leaves a record the store can write and read back.
import Crypto
import HTTPKit
@testable import PinterestConnection
@testable import ProfileStore

let cipher = try! AESGCM(key: [UInt8](repeating: 0x42, count: 32))
let userID = "pinterest|4714936491839602101"
let record = UserRecord(
    userID: userID,
    profile: ["user_id": .string(userID), "nickname": "pinner", "logins_count": 1,
              "user_metadata": ["theme": "dark"], "app_metadata": [:]],
    tokens: nil)

func fuzzOne(_ bytes: [UInt8]) {
    guard let sync = bytes.first.map({ $0 & 1 == 1 }) else { return }
    let body = Array(bytes.dropFirst())
    switch UserPatch.parse(body, sync: sync) {
    case .failure(let problem):
        require(problem.entry.status == 400, "a rejected body answered \(problem.entry.status)")
    case .success(let changes):
        require(!changes.isEmpty, "an empty change was accepted")
        var updated: UserRecord
        do {
            updated = try UserPatch.apply(changes, to: record, now: 1_800_000_000)
        } catch {
            require(error.entry.status == 400, "applying a change failed with \(error.entry.status)")
            return
        }
        // Applying the change twice, as a retried request would, changes nothing more.
        updated = (try? UserPatch.apply(changes, to: updated, now: 1_800_000_000)) ?? updated
        do {
            let encoded = try RecordCoding.encodeUser(updated, cipher: cipher)
            let decoded = try RecordCoding.decodeUser(encoded, path: "fuzz", userID: userID, cipher: cipher)
            require(decoded == updated, "the patched record does not read back unchanged")
        } catch {
            require(false, "the patched record cannot be stored: \(error)")
        }
    }
}
