// User, session and state ids from URLs and cookies as file names. Any id, with path separators,
// dots, NUL bytes or kilobytes of text, maps to a file inside the store and nowhere else, and reads
// back what was written. An invalid page cursor is an invalid argument.
#if canImport(Glibc)
import Glibc
#endif
import HTTPKit
@testable import ProfileStore

/// A fresh store under `FUZZ_SCRATCH` (fuzz.sh sets a directory on tmpfs, where the store's
/// fsyncs cost little, and removes it afterwards), or under /tmp.
let parent: String = {
    let base = getenv("FUZZ_SCRATCH").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/store-ids-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { fatalError("mkdtemp failed") }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}()
let store = try! FileStore(directory: parent + "/store", tokenKey: [UInt8](repeating: 0x42, count: 32))
let expectedTopLevel = ["expiry", "login-states", "sessions", "tmp", "users"]

func fuzzOne(_ bytes: [UInt8]) {
    let (idBytes, otherBytes) = split(bytes)
    let id = text(idBytes)
    let other = text(otherBytes)
    let now = Clock.unixTime()

    do {
        let record = UserRecord(userID: id, profile: ["user_id": .string(id)], tokens: nil)
        if id.isEmpty {
            do {
                try store.updateUser(id: id) { _ in record }
                require(false, "an empty user id was stored")
            } catch {}
        } else {
            try store.updateUser(id: id) { _ in record }
            let readBack = try store.user(id: id)
            require(readBack == record, "the user does not read back")

            let session = SessionRecord(id: other.isEmpty ? "s" : other, userID: id, clientID: "demo",
                                        createdAt: now, expiresAt: now + 3600)
            try store.saveSession(session)
            let sessionReadBack = try store.session(id: session.id)
            require(sessionReadBack == session, "the session does not read back")

            let existed = try store.deleteUser(id: id)
            require(existed, "deleting an existing user returned false")
            let userAfterDelete = try store.user(id: id)
            let sessionAfterDelete = try store.session(id: session.id)
            require(userAfterDelete == nil, "a deleted user still reads")
            require(sessionAfterDelete == nil, "a deleted user's session still reads")
        }

        let state = LoginState(id: other.isEmpty ? "state" : other, clientID: "demo", redirectURI: id, clientState: id,
                               browserBinding: "binding", createdAt: now, expiresAt: now + 600)
        try store.saveLoginState(state)
        let taken = try store.takeLoginState(id: state.id)
        let takenAgain = try store.takeLoginState(id: state.id)
        require(taken == state, "the login state does not read back")
        require(takenAgain == nil, "a login state was taken twice")
    } catch {
        require(false, "the store failed: \(error)")
    }

    do {
        _ = try store.listUsers(after: id.isEmpty ? nil : id, limit: 1)
        require(id.isEmpty || StoreLayout.isKey(id), "the cursor \(id.prefix(80)) was accepted")
    } catch {
        guard case .invalidArgument = error else {
            require(false, "listing users failed with \(error)")
            return
        }
    }

    let root = ((try? FileSystem.listDirectory(parent + "/store")) ?? []).sorted()
    require(root == expectedTopLevel, "the store's top level holds \(root)")
    require((try? FileSystem.listDirectory(parent)) ?? [] == ["store"], "a file appeared next to the store")
}
