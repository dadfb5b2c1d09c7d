import Crypto
import HTTPKit

/// The JSON text of each kind of file, and the sealing of Pinterest tokens. Every file carries
/// `"format": 1`, so a later layout can tell old files from new ones.
enum RecordCoding {
    static let format: Int64 = 1

    /// Larger records are rejected on write, so every record written can be read back.
    static let maximumRecordBytes = 1 << 20
    /// The parser's nesting limit is 64 and a profile sits one level inside its record file.
    static let maximumProfileDepth = 60

    static var parser: JSONParser { JSONParser(maximumDepth: 64, maximumBytes: maximumRecordBytes) }

    // MARK: Users

    static func encodeUser(_ record: UserRecord, cipher: AESGCM) throws(StoreError) -> [UInt8] {
        guard case .object = record.profile else {
            throw .invalidRecord(reason: "the profile of \(StoreError.abbreviated(record.userID)) is not a JSON object")
        }
        guard depth(of: record.profile) <= maximumProfileDepth else {
            throw .invalidRecord(reason: "the profile of \(StoreError.abbreviated(record.userID)) nests deeper than \(maximumProfileDepth) levels")
        }

        var document: JSON = ["format": .int(format), "user_id": .string(record.userID), "profile": record.profile]
        if let tokens = record.tokens {
            var sealed: JSON = [
                "sealed_access_token": .string(try seal(tokens.accessToken, field: .accessToken, userID: record.userID, cipher: cipher)),
                "access_token_expires_at": .int(tokens.accessTokenExpiresAt),
                "scope": .string(tokens.scope),
            ]
            if let refreshToken = tokens.refreshToken {
                sealed["sealed_refresh_token"] = .string(try seal(refreshToken, field: .refreshToken, userID: record.userID, cipher: cipher))
            }
            if let refreshTokenExpiresAt = tokens.refreshTokenExpiresAt {
                sealed["refresh_token_expires_at"] = .int(refreshTokenExpiresAt)
            }
            document["tokens"] = sealed
        }

        let bytes = Array(document.serialized().utf8)
        guard bytes.count <= maximumRecordBytes else {
            throw .invalidRecord(
                reason: "the record of \(StoreError.abbreviated(record.userID)) is \(bytes.count) bytes, more than the limit of \(maximumRecordBytes)"
            )
        }
        return bytes
    }

    /// Decodes a user record file.
    /// - Parameter key: the key the file is named after. The record's `user_id` must hash to it, so a
    ///   record file copied or renamed to another user's name is reported as corrupt.
    static func decodeUser(_ bytes: [UInt8], path: String, key: String, cipher: AESGCM) throws(StoreError) -> UserRecord {
        let fields = try Fields(bytes, path: path)
        let userID = try fields.string("user_id")
        guard StoreLayout.key(for: userID) == key else {
            throw .corruptRecord(path: path, reason: "its user_id does not match the file name, which is the SHA-256 of the user id")
        }
        return try decodeUser(fields, userID: userID, cipher: cipher)
    }

    /// Decodes a user record file read for a known user id, without hashing it again.
    static func decodeUser(_ bytes: [UInt8], path: String, userID: String, cipher: AESGCM) throws(StoreError) -> UserRecord {
        let fields = try Fields(bytes, path: path)
        guard try fields.string("user_id").utf8.elementsEqual(userID.utf8) else {
            throw .corruptRecord(path: path, reason: "its user_id does not match the file name, which is the SHA-256 of the user id")
        }
        return try decodeUser(fields, userID: userID, cipher: cipher)
    }

    /// Decodes only the profile of a user record file read for a known user id. The sealed tokens
    /// stay closed, so a token that no longer opens shows at the next login or refresh instead.
    static func decodeProfile(_ bytes: [UInt8], path: String, userID: String) throws(StoreError) -> JSON {
        let fields = try Fields(bytes, path: path)
        guard try fields.string("user_id").utf8.elementsEqual(userID.utf8) else {
            throw .corruptRecord(path: path, reason: "its user_id does not match the file name, which is the SHA-256 of the user id")
        }
        return try decodeProfile(fields)
    }

    private static func decodeProfile(_ fields: Fields) throws(StoreError) -> JSON {
        let profile = try fields.value("profile")
        guard case .object = profile else { throw fields.corrupt("profile is not a JSON object") }
        return profile
    }

    private static func decodeUser(_ fields: Fields, userID: String, cipher: AESGCM) throws(StoreError) -> UserRecord {
        let profile = try decodeProfile(fields)

        var tokens: PinterestTokens?
        if let sealed = fields.object["tokens"], !sealed.isNull {
            guard case .object(let members) = sealed else { throw fields.corrupt("tokens is not a JSON object") }
            let tokenFields = Fields(object: members, path: fields.path)
            let accessToken = try open(try tokenFields.string("sealed_access_token"), field: .accessToken, userID: userID, cipher: cipher, path: fields.path)
            var refreshToken: String?
            if let sealedRefreshToken = try tokenFields.optionalString("sealed_refresh_token") {
                refreshToken = try open(sealedRefreshToken, field: .refreshToken, userID: userID, cipher: cipher, path: fields.path)
            }
            tokens = PinterestTokens(
                accessToken: accessToken,
                accessTokenExpiresAt: try tokenFields.int("access_token_expires_at"),
                refreshToken: refreshToken,
                refreshTokenExpiresAt: try tokenFields.optionalInt("refresh_token_expires_at"),
                scope: try tokenFields.string("scope")
            )
        }
        return UserRecord(userID: userID, profile: profile, tokens: tokens)
    }

    // MARK: Token sealing

    enum TokenField: String {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
    }

    /// Returns the associated data that binds a sealed token to its user and its field, so a token
    /// copied into another user's record, or an access token swapped with the refresh token, fails
    /// to open.
    static func associatedData(field: TokenField, userID: String) -> [UInt8] {
        Array("pinterest-connection/\(field.rawValue)\u{0}".utf8) + Array(userID.utf8)
    }

    static func seal(_ token: String, field: TokenField, userID: String, cipher: AESGCM) throws(StoreError) -> String {
        do {
            let box = try cipher.seal(Array(token.utf8), associatedData: associatedData(field: field, userID: userID))
            return Base64URL.encode(box)
        } catch {
            throw .encryptionFailure(reason: "\(error)")
        }
    }

    static func open(_ text: String, field: TokenField, userID: String, cipher: AESGCM, path: String) throws(StoreError) -> String {
        guard let box = Base64URL.decode(text) else {
            throw .corruptRecord(path: path, reason: "sealed_\(field.rawValue) is not base64url")
        }
        let plaintext: [UInt8]
        do {
            plaintext = try cipher.open(box, associatedData: associatedData(field: field, userID: userID))
        } catch {
            throw .corruptRecord(
                path: path,
                reason: "sealed_\(field.rawValue) does not open with the token key: the key changed, or the token was copied from another record"
            )
        }
        guard let token = String(validating: plaintext, as: UTF8.self) else {
            throw .corruptRecord(path: path, reason: "sealed_\(field.rawValue) does not contain UTF-8 text")
        }
        return token
    }

    // MARK: Sessions

    /// Encodes a session without its id. The file is named after the id's SHA-256, and the caller
    /// who reads a session already has the id.
    static func encodeSession(_ session: SessionRecord) -> [UInt8] {
        let document: JSON = [
            "format": .int(format),
            "user_id": .string(session.userID),
            "client_id": .string(session.clientID),
            "created_at": .int(session.createdAt),
            "expires_at": .int(session.expiresAt),
        ]
        return Array(document.serialized().utf8)
    }

    static func decodeSession(_ bytes: [UInt8], id: String, path: String) throws(StoreError) -> SessionRecord {
        let fields = try Fields(bytes, path: path)
        return SessionRecord(
            id: id,
            userID: try fields.string("user_id"),
            clientID: try fields.string("client_id"),
            createdAt: try fields.int("created_at"),
            expiresAt: try fields.int("expires_at")
        )
    }

    // MARK: Login states

    static func encodeLoginState(_ state: LoginState) -> [UInt8] {
        var document: JSON = [
            "format": .int(format),
            "client_id": .string(state.clientID),
            "redirect_uri": .string(state.redirectURI),
            "browser_binding": .string(state.browserBinding),
            "created_at": .int(state.createdAt),
            "expires_at": .int(state.expiresAt),
        ]
        if let clientState = state.clientState { document["client_state"] = .string(clientState) }
        return Array(document.serialized().utf8)
    }

    static func decodeLoginState(_ bytes: [UInt8], id: String, path: String) throws(StoreError) -> LoginState {
        let fields = try Fields(bytes, path: path)
        return LoginState(
            id: id,
            clientID: try fields.string("client_id"),
            redirectURI: try fields.string("redirect_uri"),
            clientState: try fields.optionalString("client_state"),
            browserBinding: try fields.string("browser_binding"),
            createdAt: try fields.int("created_at"),
            expiresAt: try fields.int("expires_at")
        )
    }

    // MARK: Session indexes

    /// One entry of a user's session index: the session's key and expiry.
    struct IndexEntry: Equatable {
        var key: String
        var expiresAt: Int64
    }

    static func encodeSessionIndex(_ entries: [IndexEntry]) -> [UInt8] {
        let sessions = entries.map { entry -> JSON in ["key": .string(entry.key), "expires_at": .int(entry.expiresAt)] }
        let document: JSON = ["format": .int(format), "sessions": .array(sessions)]
        return Array(document.serialized().utf8)
    }

    static func decodeSessionIndex(_ bytes: [UInt8], path: String) throws(StoreError) -> [IndexEntry] {
        let fields = try Fields(bytes, path: path)
        guard case .array(let sessions) = try fields.value("sessions") else { throw fields.corrupt("sessions is not an array") }
        var entries: [IndexEntry] = []
        for session in sessions {
            guard case .object(let members) = session else { throw fields.corrupt("a sessions entry is not an object") }
            let entryFields = Fields(object: members, path: path)
            let key = try entryFields.string("key")
            guard StoreLayout.isKey(key) else { throw fields.corrupt("a sessions entry has a key that is not 64 hex digits") }
            entries.append(IndexEntry(key: key, expiresAt: try entryFields.int("expires_at")))
        }
        return entries
    }

    // MARK: Helpers

    static func depth(of value: JSON) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.map(depth(of:)).max() ?? 0)
        case .object(let members): 1 + (members.values.map(depth(of:)).max() ?? 0)
        default: 0
        }
    }

    /// The members of a record file's top-level object, read with errors that name the file.
    struct Fields {
        let object: [String: JSON]
        let path: String

        init(object: [String: JSON], path: String) {
            self.object = object
            self.path = path
        }

        init(_ bytes: [UInt8], path: String) throws(StoreError) {
            let document: JSON
            do {
                document = try RecordCoding.parser.parse(bytes)
            } catch {
                throw .corruptRecord(path: path, reason: error.description)
            }
            guard case .object(let members) = document else {
                throw .corruptRecord(path: path, reason: "the file is not a JSON object")
            }
            guard members["format"]?.intValue == RecordCoding.format else {
                throw .corruptRecord(path: path, reason: "format is missing or not \(RecordCoding.format)")
            }
            self.init(object: members, path: path)
        }

        func corrupt(_ reason: String) -> StoreError {
            .corruptRecord(path: path, reason: reason)
        }

        func value(_ key: String) throws(StoreError) -> JSON {
            guard let value = object[key] else { throw corrupt("\(key) is missing") }
            return value
        }

        func string(_ key: String) throws(StoreError) -> String {
            guard let value = try value(key).stringValue else { throw corrupt("\(key) is not a string") }
            return value
        }

        func optionalString(_ key: String) throws(StoreError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let text = value.stringValue else { throw corrupt("\(key) is not a string") }
            return text
        }

        func int(_ key: String) throws(StoreError) -> Int64 {
            guard case .int(let value) = try value(key) else { throw corrupt("\(key) is not an integer") }
            return value
        }

        func optionalInt(_ key: String) throws(StoreError) -> Int64? {
            guard let value = object[key], !value.isNull else { return nil }
            guard case .int(let number) = value else { throw corrupt("\(key) is not an integer") }
            return number
        }
    }
}
