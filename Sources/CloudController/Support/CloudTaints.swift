import Kubernetes

/// The taints the cloud controllers own.
public enum CloudTaints {
    /// Set by the kubelet with `--cloud-provider=external`; the cloud node controller removes it
    /// once the node is initialized.
    public static let uninitialized = "node.cloudprovider.kubernetes.io/uninitialized"
    /// Set by the node lifecycle controller while a not-Ready node's instance is powered off.
    public static let shutdown = "node.cloudprovider.kubernetes.io/shutdown"

    public static var shutdownTaint: Taint { Taint(key: shutdown, effect: "NoSchedule") }
}
