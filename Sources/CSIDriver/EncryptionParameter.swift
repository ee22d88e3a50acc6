/// The volume context key (and StorageClass parameter) asking for a LUKS-encrypted volume
/// (`"true"`): the controller accepts and passes it on, the node acts on it.
public enum EncryptionParameter {
    public static let contextKey = "encrypted"
}
