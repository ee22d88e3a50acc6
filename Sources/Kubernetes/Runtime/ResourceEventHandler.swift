/// Callbacks an informer makes as its cache changes. They run one at a time, in order, on the
/// informer's delivery task: keep them short (typically: enqueue a key).
public struct ResourceEventHandler<Resource: KubernetesResource>: Sendable {
    public var onAdd: @Sendable (Resource) async -> Void
    /// `(old, new)`; on a periodic resync both are the cached object.
    public var onUpdate: @Sendable (Resource, Resource) async -> Void
    /// The last state the informer knew.
    public var onDelete: @Sendable (Resource) async -> Void

    public init(
        onAdd: @escaping @Sendable (Resource) async -> Void = { _ in },
        onUpdate: @escaping @Sendable (Resource, Resource) async -> Void = { _, _ in },
        onDelete: @escaping @Sendable (Resource) async -> Void = { _ in }
    ) {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
    }

    /// A handler that enqueues the object's key on every change, the usual controller wiring.
    public static func enqueue(into queue: WorkQueue<String>) -> Self {
        ResourceEventHandler(
            onAdd: { queue.add($0.key) }, onUpdate: { _, new in queue.add(new.key) }, onDelete: { queue.add($0.key) })
    }
}
