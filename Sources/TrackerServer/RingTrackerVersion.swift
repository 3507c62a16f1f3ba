/// Reported by `--version`, `/stats?mode=version` and the metrics build info.
public enum RingTrackerVersion {
    public static let string = "0.1.0"
}
