// A textual IP address from an `ip=` parameter or an `X-Forwarded-For` header. Numeric values,
// big-endian halves for IPv6, so the server maps it onto the core's address types without parsing.
public enum HTTPAddressLiteral: Hashable, Sendable {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    /// Dotted quad (`10.9.8.7`) or RFC 4291 text (`2001:db8::1`, `::ffff:1.2.3.4`), optionally in
    /// brackets; surrounding spaces are ignored. An IPv4-mapped IPv6 address is returned as `.v4`:
    /// the same peer whichever socket family it came through. Anything else is nil.
    public init?(parsing text: some Collection<UInt8>) {
        var bytes = Array(text)
        while bytes.first == UInt8(ascii: " ") || bytes.first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while bytes.last == UInt8(ascii: " ") || bytes.last == UInt8(ascii: "\t") { bytes.removeLast() }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]"), bytes.count >= 2 {
            bytes = Array(bytes[1..<(bytes.count - 1)])
        }
        guard !bytes.isEmpty, bytes.count <= IPAddressText.maxIPv6Length else { return nil }
        if bytes.contains(UInt8(ascii: ":")) {
            guard let (high, low) = IPAddressText.parseIPv6(bytes) else { return nil }
            if let v4 = IPAddressText.mappedIPv4(high: high, low: low) {
                self = .v4(v4)
            } else {
                self = .v6(high: high, low: low)
            }
        } else {
            guard let value = IPAddressText.parseIPv4(bytes) else { return nil }
            self = .v4(value)
        }
    }
}
