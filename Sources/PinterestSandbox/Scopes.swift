/// The OAuth scopes of Pinterest API v5, as of its OpenAPI description release 5.23.0.
enum PinterestScope {
    /// Every v5 scope with the sentence the consent page shows for it, in the order it lists them.
    static let all: [(name: String, description: String)] = [
        ("ads:read", "See your advertising data, including ads, ad groups, campaigns and targeting"),
        ("ads:write", "Create, update or delete ads, ad groups, campaigns and targeting"),
        ("billing:read", "See your billing data and billing profile"),
        ("billing:write", "Create, update or delete billing data and your billing profile"),
        ("biz_access:read", "See business access data"),
        ("biz_access:write", "Create, update or delete business access data"),
        ("boards:read", "See your public boards, including group boards you join"),
        ("boards:read_secret", "See your secret boards"),
        ("boards:write", "Create, update or delete your public boards"),
        ("boards:write_secret", "Create, update or delete your secret boards"),
        ("catalogs:read", "See your catalogs data"),
        ("catalogs:write", "Create, update or delete your catalogs data"),
        ("msot:write", "Write access of the msot scope"),
        ("pins:read", "See your public Pins"),
        ("pins:read_secret", "See your secret Pins"),
        ("pins:write", "Create, update or delete your public Pins"),
        ("pins:write_secret", "Create, update or delete your secret Pins"),
        ("user_accounts:read", "See your user account and follower data"),
        ("user_accounts:write", "Update your user account and followers"),
    ]

    /// The scope `GET /v5/user_account` requires.
    static let userAccountsRead = "user_accounts:read"

    private static let names = Set(all.map(\.name))

    /// Scope names of the retired v1 API, which a v5 authorization request must not carry.
    private static let version1Names: Set<String> = [
        "read_public", "write_public", "read_private", "write_private",
        "read_relationships", "write_relationships", "read_write_all",
    ]

    enum ParseError: Error, Equatable {
        case missing
        case unknown(String)
        case version1(String)
    }

    /// Parses a `scope` parameter whose names are separated by commas, spaces or both, as
    /// Pinterest accepts either. Returns the distinct names in their order in `all`.
    static func parse(_ text: String) -> Result<[String], ParseError> {
        let requested = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        guard !requested.isEmpty else { return .failure(.missing) }

        for name in requested where !names.contains(name) {
            return .failure(version1Names.contains(name) ? .version1(name) : .unknown(name))
        }
        return .success(sorted(Set(requested)))
    }

    /// Orders scope names as `all` does, which keeps token responses and pages stable.
    static func sorted(_ scopes: Set<String>) -> [String] {
        all.map(\.name).filter { scopes.contains($0) }
    }

    static func description(of name: String) -> String {
        all.first { $0.name == name }?.description ?? ""
    }
}
