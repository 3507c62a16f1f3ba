import TrackerProtocol

/// A listener address as written in opentracker.conf or on the command line, normalised to the
/// "HOST:PORT" / "[V6]:PORT" form `SocketAddress(parsing:)` takes.
///
/// Accepted (opentracker's `scan_ip6_port` forms): `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `[::1]`,
/// `::1` (bare IPv6, no port) and `2001:db8::1.80` (bare IPv6 with a dot before the port).
/// A missing port is `defaultPort` (6969 for the tracker, 9696 for live sync). Port 0 is allowed
/// (the kernel picks one; useful in tests). Host names are not: listeners bind before DNS matters.
public enum ListenAddress {
    public static let trackerPort: UInt16 = 6969
    /// opentracker's LIVESYNC_PORT.
    public static let livesyncPort: UInt16 = 9696

    public static func normalise(_ text: some StringProtocol, defaultPort: UInt16 = trackerPort) -> String? {
        let text = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = text[text.index(after: text.startIndex)..<close]
            guard let v6 = IPAddressText.ipv6Bytes(host) else { return nil }
            let rest = text[text.index(after: close)...]
            let port: UInt16
            if rest.isEmpty {
                port = defaultPort
            } else {
                guard rest.first == ":", let parsed = parsePort(rest.dropFirst()) else { return nil }
                port = parsed
            }
            return "[\(IPAddressText.formatIPv6(v6))]:\(port)"
        }
        let colons = text.count(where: { $0 == ":" })
        if colons == 0 {
            guard let v4 = IPAddressText.ipv4Bytes(text) else { return nil }
            return "\(IPAddressText.formatIPv4(v4)):\(defaultPort)"
        }
        if colons == 1 {
            guard let colon = text.firstIndex(of: ":"), let v4 = IPAddressText.ipv4Bytes(text[..<colon]),
                let port = parsePort(text[text.index(after: colon)...])
            else { return nil }
            return "\(IPAddressText.formatIPv4(v4)):\(port)"
        }
        if let v6 = IPAddressText.ipv6Bytes(text) {
            return "[\(IPAddressText.formatIPv6(v6))]:\(defaultPort)"
        }
        if let dot = text.lastIndex(of: "."), let v6 = IPAddressText.ipv6Bytes(text[..<dot]),
            let port = parsePort(text[text.index(after: dot)...])
        {
            return "[\(IPAddressText.formatIPv6(v6))]:\(port)"
        }
        return nil
    }

    private static func parsePort(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt16(text)
    }
}
