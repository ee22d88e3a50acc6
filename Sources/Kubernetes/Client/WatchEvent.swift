/// One event of a watch stream.
public enum WatchEvent<Resource: KubernetesResource>: Sendable {
    case added(Resource)
    case modified(Resource)
    case deleted(Resource)
    /// The server has sent everything up to `resourceVersion`; resume from there.
    case bookmark(resourceVersion: String)

    /// The resourceVersion this event moves the watch to.
    public var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object.metadata.resourceVersion
        case .bookmark(let resourceVersion): return resourceVersion
        }
    }
}
