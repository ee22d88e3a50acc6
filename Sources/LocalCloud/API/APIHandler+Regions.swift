extension APIHandler {
    private struct Region: Encodable {
        var id: String
        var city: String
        var country: String
        var continent: String
        var options: [String]
    }

    private static let knownPlaces: [String: (String, String, String)] = [
        "ewr": ("New Jersey", "US", "North America"), "ams": ("Amsterdam", "NL", "Europe"),
        "fra": ("Frankfurt", "DE", "Europe"), "sjc": ("Silicon Valley", "US", "North America"),
    ]

    func regions(_ r: APIRequest, _ rest: [String]) throws -> APIResponse {
        guard rest.isEmpty else { throw Self.noSuchEndpoint(r) }
        guard r.method == "GET" else { throw Self.methodNotAllowed(r) }
        let regions = configuration.regions.map { id in
            let place = Self.knownPlaces[id] ?? ("Localhost", "ZZ", "Loopback")
            return Region(
                id: id, city: place.0, country: place.1, continent: place.2,
                options: ["block_storage_high_perf", "block_storage_storage_opt", "load_balancers"])
        }
        return .json(ListBody(key: "regions", items: regions, total: regions.count, next: nil))
    }
}
