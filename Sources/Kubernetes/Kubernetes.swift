/// Kubernetes REST client and controller runtime (issue 6).
public enum KubernetesModule {}
