/// CSI value types and protobuf-c codecs (issue 2).
public enum CSIWire {}
