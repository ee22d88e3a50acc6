/// A route as the local cloud sends it.
struct RouteWire: WireResource {
    static let singularKey = "route"
    static let pluralKey = "routes"

    var id: String
    var destination: String?
    var instanceId: String?
    var nextHop: String?
    var description: String?

    var route: Route {
        Route(
            id: id, destination: destination ?? "", instanceID: instanceId ?? "", nextHop: nextHop ?? "",
            description: description ?? "")
    }
}
