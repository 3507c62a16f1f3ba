import TrackerCore

extension Array where Element == CIDR {
    /// Whether any network holds `address` (the cluster allow list for sync packets and state transfer).
    func containsAddress(_ address: PeerAddress) -> Bool {
        switch address {
        case .v4(let v4): contains { $0.contains(ipv4: v4.rawValue) }
        case .v6(let v6): contains { $0.contains(ipv6High: v6.high, low: v6.low) }
        }
    }
}
