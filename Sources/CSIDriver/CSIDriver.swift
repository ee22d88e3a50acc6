/// CSI service logic.
public enum CSIDriverModule {}
