import TrackerProtocol

/// An IPv4 or IPv6 network: "10.0.0.0/8", "::1/128"; a bare address is a single host (/32, /128).
/// Used for `access.stats`, `access.proxy` and `livesync.cluster.node_ip`. Host bits are cleared,
/// so "10.1.2.3/8" is the network 10.0.0.0/8.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case ipv4, ipv6 }

    public let family: Family
    /// The network address: 4 bytes for IPv4, 16 for IPv6, host bits zero.
    public let network: [UInt8]
    public let prefixLength: Int

    public static let ipv4Loopback = CIDR(family: .ipv4, network: [127, 0, 0, 0], prefixLength: 8)
    public static let ipv6Loopback = CIDR(family: .ipv6, network: [UInt8](repeating: 0, count: 15) + [1], prefixLength: 128)

    private init(family: Family, network: [UInt8], prefixLength: Int) {
        self.family = family
        self.prefixLength = prefixLength
        self.network = Self.masked(network, prefixLength: prefixLength)
    }

    /// nil unless `text` is an IPv4 or IPv6 address with an optional "/bits" (0...32 or 0...128).
    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        let addressText: Substring
        var bits: Int?
        if let slash = text.firstIndex(of: "/") {
            addressText = text[..<slash]
            let bitsText = text[text.index(after: slash)...]
            guard !bitsText.isEmpty, bitsText.count <= 3, bitsText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = Int(bitsText)
            else { return nil }
            bits = value
        } else {
            addressText = text
        }
        if let v4 = IPAddressText.ipv4Bytes(addressText) {
            let length = bits ?? 32
            guard length <= 32 else { return nil }
            self.init(family: .ipv4, network: v4, prefixLength: length)
        } else if let v6 = IPAddressText.ipv6Bytes(addressText) {
            let length = bits ?? 128
            guard length <= 128 else { return nil }
            self.init(family: .ipv6, network: v6, prefixLength: length)
        } else {
            return nil
        }
    }

    /// Whether the address (4 bytes IPv4, 16 bytes IPv6) lies in this network. An IPv4-mapped
    /// IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports) matches IPv4 networks.
    public func contains(_ address: some Collection<UInt8>) -> Bool {
        var bytes = Array(address)
        if family == .ipv4 && bytes.count == 16 {
            guard bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF else { return false }
            bytes = Array(bytes[12..<16])
        }
        guard bytes.count == network.count else { return false }
        return Self.masked(bytes, prefixLength: prefixLength) == network
    }

    /// IPv4 address as a host-order number (127.0.0.1 == 0x7F000001).
    public func contains(ipv4 value: UInt32) -> Bool {
        contains([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    /// IPv6 address as two host-order halves of its big-endian value.
    public func contains(ipv6High high: UInt64, low: UInt64) -> Bool {
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        for word in [high, low] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(word >> UInt64(shift) & 0xFF)) }
        }
        return contains(bytes)
    }

    public var description: String {
        switch family {
        case .ipv4: IPAddressText.formatIPv4(network) + "/\(prefixLength)"
        case .ipv6: IPAddressText.formatIPv6(network) + "/\(prefixLength)"
        }
    }

    private static func masked(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsHere = min(max(prefixLength - index * 8, 0), 8)
            result[index] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsHere))
        }
        return result
    }
}
