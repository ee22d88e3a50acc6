import CloudAPI
/// The local cloud (issue 3).
public enum LocalCloudModule {}
