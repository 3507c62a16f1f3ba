// Parses BEP 15 replies for the load generator and tests. Sizes are validated exactly, so a tracker
// that sends a truncated or padded reply is caught: connect exactly 16 B, announce 20 + 6k (IPv4) or
// 20 + 18k (IPv6), scrape 8 + 12n, error ≥ 8. Returns nil for anything else; never traps.
public enum UDPResponseParser {
    public static func parse(_ packet: Span<UInt8>, ipv6: Bool = false) -> UDPResponse? {
        guard packet.count >= UDPLimits.scrapeResponseHeaderSize else { return nil }
        let action = WireBytes.uint32(packet, at: 0)
        let tid = TransactionID(rawValue: WireBytes.uint32(packet, at: 4))

        switch UDPAction(rawValue: action) {
        case .connect:
            guard packet.count == UDPLimits.connectResponseSize else { return nil }
            return .connect(tid, ConnectionID(rawValue: WireBytes.uint64(packet, at: 8)))

        case .announce:
            // opentracker answers an unauthorised hash with an 8 B announce header; BEP 15 clients
            // treat that as broken, and so do we.
            let peerSize = ipv6 ? UDPLimits.peerSizeIPv6 : UDPLimits.peerSizeIPv4
            let peerBytes = packet.count - UDPLimits.announceResponseHeaderSize
            guard peerBytes >= 0, peerBytes % peerSize == 0 else { return nil }
            return .announce(
                tid,
                WireBytes.uint32(packet, at: 8),
                WireBytes.uint32(packet, at: 12),
                WireBytes.uint32(packet, at: 16),
                peerBytes / peerSize
            )

        case .scrape:
            let entryBytes = packet.count - UDPLimits.scrapeResponseHeaderSize
            guard entryBytes % UDPLimits.scrapeEntrySize == 0 else { return nil }
            return .scrape(tid, entryBytes / UDPLimits.scrapeEntrySize)

        case .error:
            return .error(tid)

        case nil:
            return nil
        }
    }

    /// The `index`-th scrape entry (BEP 15 order). Precondition: `index` < the parsed count.
    public static func scrapeEntry(at index: Int, in packet: Span<UInt8>) -> (seeders: UInt32, completed: UInt32, leechers: UInt32) {
        let offset = UDPLimits.scrapeResponseHeaderSize + UDPLimits.scrapeEntrySize * index
        return (
            WireBytes.uint32(packet, at: offset),
            WireBytes.uint32(packet, at: offset + 4),
            WireBytes.uint32(packet, at: offset + 8)
        )
    }

    /// The `index`-th IPv4 compact peer: address as a number (127.0.0.1 == 0x7F000001) and port.
    public static func peerIPv4(at index: Int, in packet: Span<UInt8>) -> (address: UInt32, port: UInt16) {
        let offset = UDPLimits.announceResponseHeaderSize + UDPLimits.peerSizeIPv4 * index
        return (WireBytes.uint32(packet, at: offset), WireBytes.uint16(packet, at: offset + 4))
    }

    /// The `index`-th IPv6 compact peer: address as big-endian halves and port.
    public static func peerIPv6(at index: Int, in packet: Span<UInt8>) -> (high: UInt64, low: UInt64, port: UInt16) {
        let offset = UDPLimits.announceResponseHeaderSize + UDPLimits.peerSizeIPv6 * index
        return (
            WireBytes.uint64(packet, at: offset),
            WireBytes.uint64(packet, at: offset + 8),
            WireBytes.uint16(packet, at: offset + 16)
        )
    }
}
