import Kubernetes
import CloudAPI
/// Cloud controller manager controllers (issue 7).
public enum CloudControllerModule {}
