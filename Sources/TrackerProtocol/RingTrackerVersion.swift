/// Reported by `ringtracker --version`, `ringflood --version`, `/stats?mode=version`, the metrics
/// build info and the Debian package version (contrib/package-deb).
public enum RingTrackerVersion {
    public static let string = "0.1.0"
}
