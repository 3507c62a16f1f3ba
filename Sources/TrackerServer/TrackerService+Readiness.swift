extension TrackerService {
    /// The `STATUS=` text sent to systemd with `READY=1` (shown by `systemctl status`).
    public func readinessStatus() -> String {
        let udp = udpAddresses.map(\.description).joined(separator: ", ")
        let http = httpAddresses.joined(separator: ", ")
        return "serving udp \(udp.isEmpty ? "-" : udp); http \(http.isEmpty ? "-" : http); \(configuration.cpus.count) workers on \(backend.rawValue)"
    }
}
