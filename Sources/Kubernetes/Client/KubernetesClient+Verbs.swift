import Foundation

/// Typed REST verbs. For namespaced kinds, `namespace: nil` means the configuration's namespace
/// on single-object verbs and *all namespaces* on list.
extension KubernetesClient {
    public func get<R: KubernetesResource>(_ type: R.Type, name: String, namespace: String? = nil) async throws -> R {
        let response = try await send(.GET, path: path(R.self, namespace: resolve(namespace, R.self), name: name))
        return try decode(R.self, response.body)
    }

    /// One page of a list (follow `continueToken` for more, or use `listAll`).
    public func list<R: KubernetesResource>(
        _ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ResourceList<R> {
        let response = try await send(.GET, path: path(R.self, namespace: namespace), query: options.queryItems)
        return ResourceList(json: try decodeObject(response.body))
    }

    /// Every page of a list, following continue tokens; the resourceVersion is the list snapshot's.
    public func listAll<R: KubernetesResource>(
        _ type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions(limit: 500)
    ) async throws -> ResourceList<R> {
        var options = options
        var page = try await list(R.self, namespace: namespace, options: options)
        var items = page.items
        while let token = page.continueToken {
            options.continueToken = token
            page = try await list(R.self, namespace: namespace, options: options)
            items.append(contentsOf: page.items)
        }
        return ResourceList(items: items, resourceVersion: page.resourceVersion, continueToken: nil)
    }

    /// POST; the namespace comes from the object.
    public func create<R: KubernetesResource>(_ object: R) async throws -> R {
        var object = object
        object.setTypeMeta()
        let response = try await send(
            .POST, path: path(R.self, namespace: resolve(object.metadata.namespace, R.self)), body: object.jsonValue)
        return try decode(R.self, response.body)
    }

    /// PUT of the whole object. The object's `metadata.resourceVersion` makes this a compare-and-
    /// swap: a stale one fails with `.conflict`. Fields the model does not know are sent back as read.
    public func update<R: KubernetesResource>(_ object: R) async throws -> R {
        try await put(object, subresource: nil)
    }

    /// PUT to the `status` subresource: only the status is changed.
    public func updateStatus<R: KubernetesResource>(_ object: R) async throws -> R {
        try await put(object, subresource: "status")
    }

    /// PATCH with `type`'s semantics; `subresource: "status"` patches the status.
    public func patch<R: KubernetesResource>(
        _ type: R.Type, name: String, namespace: String? = nil, patch: JSONValue, type patchType: PatchType = .merge,
        subresource: String? = nil
    ) async throws -> R {
        let response = try await send(
            .PATCH, path: path(R.self, namespace: resolve(namespace, R.self), name: name, subresource: subresource),
            body: patch, contentType: patchType.contentType)
        return try decode(R.self, response.body)
    }

    /// Sends only what changed between `original` and `modified` as a JSON merge patch, guarded
    /// by `original`'s resourceVersion (a concurrent change fails with `.conflict`). Returns
    /// `original` without a request when nothing changed: e.g. patch a service's
    /// `status.loadBalancer.ingress` only when it differs.
    public func patch<R: KubernetesResource>(from original: R, to modified: R, subresource: String? = nil) async throws -> R {
        guard var patch = JSONValue.mergePatch(from: original.jsonValue, to: modified.jsonValue) else { return original }
        var metadata = patch["metadata"]?.objectValue ?? [:]
        metadata["resourceVersion"] = original.metadata.resourceVersion.map(JSONValue.string)
        patch = patch.applyingMergePatch(["metadata": .object(metadata)])
        return try await self.patch(
            R.self, name: original.name, namespace: original.namespace, patch: patch, type: .merge, subresource: subresource)
    }

    /// DELETE. Objects with finalizers are only marked (deletionTimestamp) until they are removed.
    public func delete<R: KubernetesResource>(
        _ type: R.Type, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()
    ) async throws {
        _ = try await send(
            .DELETE, path: path(R.self, namespace: resolve(namespace, R.self), name: name), body: options.json)
    }

    /// Get, change with `body`, update; on `.conflict` start again with a fresh copy. Returns the
    /// stored object. `body` returning `false` means "nothing to change" and skips the update.
    public func modify<R: KubernetesResource>(
        _ type: R.Type, name: String, namespace: String? = nil, status: Bool = false,
        _ body: @Sendable (inout R) throws -> Bool
    ) async throws -> R {
        try await retryOnConflict {
            var object = try await get(R.self, name: name, namespace: namespace)
            guard try body(&object) else { return object }
            return status ? try await updateStatus(object) : try await update(object)
        }
    }

    private func put<R: KubernetesResource>(_ object: R, subresource: String?) async throws -> R {
        var object = object
        object.setTypeMeta()
        let name = object.metadata.name ?? ""
        let response = try await send(
            .PUT,
            path: path(R.self, namespace: resolve(object.metadata.namespace, R.self), name: name, subresource: subresource),
            body: object.jsonValue)
        return try decode(R.self, response.body)
    }

    func path<R: KubernetesResource>(
        _ type: R.Type, namespace: String?, name: String? = nil, subresource: String? = nil
    ) -> String {
        R.descriptor.path(namespace: namespace, name: name, subresource: subresource)
    }

    func resolve<R: KubernetesResource>(_ namespace: String?, _ type: R.Type) -> String? {
        guard R.descriptor.isNamespaced else { return nil }
        if let namespace, !namespace.isEmpty { return namespace }
        return configuration.namespace
    }

    func decodeObject(_ data: Data) throws -> JSONObject {
        do {
            return try JSONCoding.decodeObject(data)
        } catch {
            throw KubernetesError(code: .decoding, message: "response is not a JSON object: \(error)", underlying: error)
        }
    }

    func decode<R: KubernetesResource>(_ type: R.Type, _ data: Data) throws -> R {
        var object = R(json: try decodeObject(data))
        object.setTypeMeta()
        return object
    }
}
