/// Provider API client module (issue 3).
public enum CloudAPIModule {}
