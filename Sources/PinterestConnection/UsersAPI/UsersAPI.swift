import Crypto
import HTTPKit
import ProfileStore

/// The applications' user API under `/api/users`, authenticated with an application's client ID
/// and secret over HTTP Basic. JSON in and out.
extension ConnectionHandlers {
    /// Users per page when `per_page` is not given, and the most a page may hold.
    static let defaultPageSize = 50
    static let maximumPageSize = 100

    /// The application behind the request's HTTP Basic credentials, or the error response.
    private func authenticateApplication(_ request: Request) -> Result<Application, CatalogueEntry> {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("basic "),
            let decoded = Base64URL.decodeStandard(String(header.dropFirst(6)).trimmingCharacters()),
            let credentials = String(validating: decoded, as: UTF8.self),
            let colon = credentials.firstIndex(of: ":")
        else {
            return .failure(ErrorCatalogue.invalidClientCredentials)
        }
        let clientID = String(credentials[..<colon])
        let secret = String(credentials[credentials.index(after: colon)...])
        guard let application = configuration.application(clientID: clientID),
            constantTimeEquals(sha256(Array(secret.utf8)), sha256(Array(application.clientSecret.utf8)))
        else {
            Log.warning("user API authentication failed", ["request_id": request.requestID])
            return .failure(ErrorCatalogue.invalidClientCredentials)
        }
        guard application.pinterestEnabled else { return .failure(ErrorCatalogue.applicationDisabled) }
        return .success(application)
    }

    private func apiError(_ request: Request, _ entry: CatalogueEntry, detail: String? = nil) -> Response {
        var response = entry.error(detail: detail).jsonResponse(for: request)
        if entry.status == 401 { response.addHeader("WWW-Authenticate", "Basic realm=\"pinterest-connection\"") }
        return response
    }

    private func storeErrorResponse(_ error: StoreError, request: Request) -> Response {
        switch error {
        case .invalidArgument(let name, let reason):
            // A malformed `page` cursor or id from the client, not a failing store.
            return apiError(request, ErrorCatalogue.invalidRequest, detail: "Invalid \(name): \(reason)")
        case .corruptRecord:
            Log.error("user API store failure", ["request_id": request.requestID, "error": error.description])
            return apiError(request, ErrorCatalogue.corruptRecord)
        default:
            Log.error("user API store failure", ["request_id": request.requestID, "error": error.description])
            return apiError(request, ErrorCatalogue.storeUnavailable)
        }
    }

    /// The profile as the API shows it: the same as `/profile`, plus the Pinterest tokens for an
    /// application that the configuration allows to see them.
    private func representation(of user: UserRecord, for application: Application) -> JSON {
        var profile = user.profile
        if application.exposePinterestTokens, let tokens = user.tokens {
            profile["pinterest_tokens"] = [
                "access_token": .string(tokens.accessToken),
                "access_token_expires_at": .int(tokens.accessTokenExpiresAt),
                "refresh_token": tokens.refreshToken.map(JSON.string) ?? .null,
                "refresh_token_expires_at": tokens.refreshTokenExpiresAt.map(JSON.int) ?? .null,
                "scope": .string(tokens.scope),
            ]
        }
        return profile
    }

    /// `GET /api/users/{user_id}`.
    func getUser(_ request: Request, id: String) -> Response {
        let application: Application
        switch authenticateApplication(request) {
        case .failure(let entry): return apiError(request, entry)
        case .success(let value): application = value
        }
        do {
            guard let user = try store.user(id: id) else { return apiError(request, ErrorCatalogue.userNotFound) }
            return .json(representation(of: user, for: application))
        } catch {
            return storeErrorResponse(error, request: request)
        }
    }

    /// `GET /api/users?page=...&per_page=...`: `page` is the opaque `next_page` of the previous response.
    func listUsers(_ request: Request) -> Response {
        let application: Application
        switch authenticateApplication(request) {
        case .failure(let entry): return apiError(request, entry)
        case .success(let value): application = value
        }
        var pageSize = Self.defaultPageSize
        if let text = request.queryValue("per_page") {
            guard let number = Int(text), (1...Self.maximumPageSize).contains(number) else {
                return apiError(request, ErrorCatalogue.invalidRequest, detail: "per_page must be a whole number from 1 to \(Self.maximumPageSize).")
            }
            pageSize = number
        }
        let cursor = request.queryValue("page").flatMap { $0.isEmpty ? nil : $0 }
        do {
            let page = try store.listUsers(after: cursor, limit: pageSize)
            return .json([
                "users": .array(page.users.map { representation(of: $0, for: application) }),
                "next_page": page.nextCursor.map(JSON.string) ?? .null,
            ])
        } catch {
            return storeErrorResponse(error, request: request)
        }
    }

    /// `DELETE /api/users/{user_id}`: removes the user and ends their sessions.
    func deleteUser(_ request: Request, id: String) -> Response {
        if case .failure(let entry) = authenticateApplication(request) { return apiError(request, entry) }
        do {
            guard try store.deleteUser(id: id) else { return apiError(request, ErrorCatalogue.userNotFound) }
            Log.info("user deleted", ["request_id": request.requestID, "user_id": id])
            return Response(status: 204)
        } catch {
            return storeErrorResponse(error, request: request)
        }
    }

    /// `PATCH /api/users/{user_id}`: merges `user_metadata` and `app_metadata` as identity brokers
    /// do, replacing top-level keys and removing a key whose value is null. It edits `name`,
    /// `nickname` and `picture` only with sync off. An invalid body changes nothing.
    func patchUser(_ request: Request, id: String) -> Response {
        let application: Application
        switch authenticateApplication(request) {
        case .failure(let entry): return apiError(request, entry)
        case .success(let value): application = value
        }

        let changes: [String: JSON]
        switch UserPatch.parse(request.body, sync: configuration.syncUserProfile) {
        case .failure(let problem): return apiError(request, problem.entry, detail: problem.detail)
        case .success(let value): changes = value
        }

        do {
            var found = false
            let updated = try store.updateUser(id: id) { existing in
                guard let existing else { return nil }
                found = true
                return try UserPatch.apply(changes, to: existing, now: clock())
            }
            guard found, let updated else { return apiError(request, ErrorCatalogue.userNotFound) }
            Log.info("user updated", ["request_id": request.requestID, "user_id": id, "client_id": application.clientID])
            return .json(representation(of: updated, for: application))
        } catch let problem as UserPatch.Problem {
            return apiError(request, problem.entry, detail: problem.detail)
        } catch let error as StoreError {
            return storeErrorResponse(error, request: request)
        } catch {
            return storeErrorResponse(.ioFailure(path: "", reason: "\(error)"), request: request)
        }
    }
}

/// Parses and applies the body of `PATCH /api/users/{user_id}`.
enum UserPatch {
    struct Problem: Error {
        var entry: CatalogueEntry
        var detail: String
    }

    static let metadataFields: Set<String> = ["user_metadata", "app_metadata"]
    static let editableRootFields: Set<String> = ["name", "nickname", "picture"]
    /// The largest metadata object kept, serialized, so one user cannot grow without bound.
    static let maximumMetadataBytes = 16 * 1024

    static func parse(_ body: [UInt8], sync: Bool) -> Result<[String: JSON], Problem> {
        let parsed: JSON
        do {
            parsed = try JSONParser(maximumDepth: 16, maximumBytes: 64 * 1024).parse(body)
        } catch {
            return .failure(Problem(entry: ErrorCatalogue.invalidBody, detail: "The body is not valid JSON (\(error.description))."))
        }
        guard let object = parsed.objectValue, !object.isEmpty else {
            return .failure(Problem(entry: ErrorCatalogue.invalidBody, detail: "The body must be a non-empty JSON object."))
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if metadataFields.contains(key) {
                guard value.objectValue != nil else {
                    return .failure(Problem(entry: ErrorCatalogue.invalidBody, detail: "\(key) must be an object."))
                }
            } else if editableRootFields.contains(key) {
                if sync {
                    return .failure(Problem(entry: ErrorCatalogue.syncOverwritesAttribute, detail: "The body sets \(key)."))
                }
                guard case .string(let text) = value, text.utf8.count <= 2048 else {
                    return .failure(Problem(entry: ErrorCatalogue.invalidBody, detail: "\(key) must be a string of at most 2048 bytes."))
                }
            } else {
                return .failure(Problem(entry: ErrorCatalogue.invalidBody, detail: "The field \(key) is unknown or read-only."))
            }
        }
        return .success(object)
    }

    static func apply(_ changes: [String: JSON], to record: UserRecord, now: Int64) throws(Problem) -> UserRecord {
        var profile = record.profile.objectValue ?? [:]
        for (key, value) in changes {
            if metadataFields.contains(key) {
                var merged = profile[key]?.objectValue ?? [:]
                for (name, member) in value.objectValue ?? [:] {
                    if member == .null {
                        merged.removeValue(forKey: name)
                    } else {
                        merged[name] = member
                    }
                }
                let size = JSON.object(merged).serialized().utf8.count
                guard size <= maximumMetadataBytes else {
                    throw Problem(entry: ErrorCatalogue.invalidBody, detail: "\(key) would grow to \(size) bytes; the limit is \(maximumMetadataBytes).")
                }
                profile[key] = .object(merged)
            } else {
                profile[key] = value
            }
        }
        profile["updated_at"] = .string(Clock.iso8601(now))
        var updated = record
        updated.profile = .object(profile)
        return updated
    }
}
