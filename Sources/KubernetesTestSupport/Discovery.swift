import Kubernetes

/// What the stand-in tells clients about itself, as kube-apiserver does, so that kubectl (which
/// discovers resources before any call) can `get`, `describe` and `apply` the kinds it stores:
/// `/healthz` (and `/livez`, `/readyz`), `/version`, the legacy discovery documents (`/api`, `/api/v1`, `/apis`, `/apis/{group}/{version}`),
/// and an OpenAPI v3 index whose PATCH operations declare the `fieldValidation` parameter (kubectl
/// then leaves validation to the server instead of downloading schemas) without declaring a
/// strategic-merge body (kubectl then builds its patches from its own compiled-in types).
/// `/openapi/v2` stays 404, as kubectl tolerates.
enum Discovery {
    struct Resource: Sendable {
        var group: String
        var version: String
        var name: String
        var kind: String
        var namespaced: Bool
        var shortNames: [String] = []
        var hasStatus = false

        var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
        var singular: String { kind.lowercased() }
    }

    /// Every kind the stand-in answers for by name; any other resource path still works for
    /// clients that do not discover (the store takes any collection).
    static let resources: [Resource] = [
        .init(group: "", version: "v1", name: "nodes", kind: "Node", namespaced: false, shortNames: ["no"], hasStatus: true),
        .init(group: "", version: "v1", name: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"], hasStatus: true),
        .init(group: "", version: "v1", name: "services", kind: "Service", namespaced: true, shortNames: ["svc"], hasStatus: true),
        .init(group: "", version: "v1", name: "pods", kind: "Pod", namespaced: true, shortNames: ["po"], hasStatus: true),
        .init(group: "", version: "v1", name: "events", kind: "Event", namespaced: true, shortNames: ["ev"]),
        .init(group: "", version: "v1", name: "secrets", kind: "Secret", namespaced: true),
        .init(group: "", version: "v1", name: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"]),
        .init(group: "", version: "v1", name: "serviceaccounts", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"]),
        .init(group: "", version: "v1", name: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"]),
        .init(group: "", version: "v1", name: "persistentvolumes", kind: "PersistentVolume", namespaced: false,
              shortNames: ["pv"], hasStatus: true),
        .init(group: "", version: "v1", name: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true,
              shortNames: ["pvc"], hasStatus: true),
        .init(group: "apps", version: "v1", name: "deployments", kind: "Deployment", namespaced: true,
              shortNames: ["deploy"], hasStatus: true),
        .init(group: "apps", version: "v1", name: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"],
              hasStatus: true),
        .init(group: "coordination.k8s.io", version: "v1", name: "leases", kind: "Lease", namespaced: true),
        .init(group: "discovery.k8s.io", version: "v1", name: "endpointslices", kind: "EndpointSlice", namespaced: true),
        .init(group: "events.k8s.io", version: "v1", name: "events", kind: "Event", namespaced: true, shortNames: ["ev"]),
        .init(group: "storage.k8s.io", version: "v1", name: "storageclasses", kind: "StorageClass", namespaced: false,
              shortNames: ["sc"]),
        .init(group: "storage.k8s.io", version: "v1", name: "csidrivers", kind: "CSIDriver", namespaced: false),
        .init(group: "rbac.authorization.k8s.io", version: "v1", name: "roles", kind: "Role", namespaced: true),
        .init(group: "rbac.authorization.k8s.io", version: "v1", name: "rolebindings", kind: "RoleBinding", namespaced: true),
        .init(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterroles", kind: "ClusterRole", namespaced: false),
        .init(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterrolebindings", kind: "ClusterRoleBinding",
              namespaced: false),
        .init(group: "snapshot.storage.k8s.io", version: "v1", name: "volumesnapshotclasses", kind: "VolumeSnapshotClass",
              namespaced: false, shortNames: ["vsclass", "vsclasses"]),
    ]

    static let serverVersion = (major: "1", minor: "32", git: "v1.32.0-mooring-standin")

    /// The kind stored under a collection, when discovery knows it.
    static func kind(groupVersion: String, resource: String) -> String? {
        resources.first { $0.groupVersion == groupVersion && $0.name == resource }?.kind
    }

    /// The answer for a discovery or OpenAPI path; nil for any other path.
    static func answer(path: String) -> APIResponse? {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        switch trimmed {
        case "/healthz", "/livez", "/readyz":
            // Plain `ok`, as kube-apiserver answers (client-go's start-up wait asks /healthz).
            return APIResponse(status: 200, body: "ok", text: "ok")
        case "/version":
            return ok([
                "major": .string(serverVersion.major), "minor": .string(serverVersion.minor),
                "gitVersion": .string(serverVersion.git), "platform": "linux/amd64",
            ])
        case "/api":
            return ok(["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []])
        case "/apis":
            return ok(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupNames.map(groupDocument))])
        case "/openapi/v3":
            var paths: JSONObject = [:]
            for groupVersion in groupVersions {
                let root = groupVersion.contains("/") ? "apis" : "api"
                paths["\(root)/\(groupVersion)"] = ["serverRelativeURL": .string("/openapi/v3/\(root)/\(groupVersion)?hash=0")]
            }
            return ok(["paths": .object(paths)])
        default:
            break
        }
        if let groupVersion = groupVersion(after: "/openapi/v3/", in: trimmed) {
            return ok(openAPIDocument(groupVersion))
        }
        if let groupVersion = groupVersion(after: "/", in: trimmed), groupVersions.contains(groupVersion) {
            return ok(resourceList(groupVersion))
        }
        return nil
    }

    // MARK: Documents

    private static var groupVersions: [String] {
        var seen: [String] = []
        for resource in resources where !seen.contains(resource.groupVersion) { seen.append(resource.groupVersion) }
        return seen
    }

    private static var groupNames: [String] {
        var seen: [String] = []
        for resource in resources where !resource.group.isEmpty && !seen.contains(resource.group) {
            seen.append(resource.group)
        }
        return seen
    }

    /// `api/v1` → `v1`, `apis/apps/v1` → `apps/v1` (after `prefix`); nil for anything else.
    private static func groupVersion(after prefix: String, in path: String) -> String? {
        guard path.hasPrefix(prefix) else { return nil }
        let parts = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        switch (parts.first, parts.count) {
        case ("api", 2): return parts[1]
        case ("apis", 3): return parts[1] + "/" + parts[2]
        default: return nil
        }
    }

    private static func groupDocument(_ group: String) -> JSONValue {
        let versions = resources.filter { $0.group == group }.map(\.version)
        let entries: [JSONValue] = versions.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            .map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
        return ["name": .string(group), "versions": .array(entries), "preferredVersion": entries[0]]
    }

    private static let verbs: JSONValue = ["create", "delete", "get", "list", "patch", "update", "watch"]

    private static func resourceList(_ groupVersion: String) -> JSONObject {
        var entries: [JSONValue] = []
        for resource in resources where resource.groupVersion == groupVersion {
            entries.append([
                "name": .string(resource.name), "singularName": .string(resource.singular),
                "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind), "verbs": verbs,
                "shortNames": .array(resource.shortNames.map { .string($0) }),
            ])
            if resource.hasStatus {
                entries.append([
                    "name": .string(resource.name + "/status"), "singularName": "", "namespaced": .bool(resource.namespaced),
                    "kind": .string(resource.kind), "verbs": ["get", "patch", "update"],
                ])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(entries)]
    }

    private static func openAPIDocument(_ groupVersion: String) -> JSONObject {
        var paths: JSONObject = [:]
        for resource in resources where resource.groupVersion == groupVersion {
            let root = resource.group.isEmpty ? "/api/\(resource.version)" : "/apis/\(resource.groupVersion)"
            let path = resource.namespaced
                ? "\(root)/namespaces/{namespace}/\(resource.name)/{name}" : "\(root)/\(resource.name)/{name}"
            let gvk: JSONValue = [
                "group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind),
            ]
            paths[path] = [
                "patch": [
                    "x-kubernetes-group-version-kind": gvk,
                    "parameters": [["name": "fieldValidation", "in": "query", "schema": ["type": "string"]]],
                    "responses": ["200": ["description": "OK"]],
                ]
            ]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes (Mooring stand-in)", "version": .string(serverVersion.git)],
            "paths": .object(paths),
        ]
    }

    private static func ok(_ body: JSONObject) -> APIResponse {
        APIResponse(status: 200, body: .object(body))
    }
}
