import TrackerProtocol

/// Why a received sync datagram was not used, counted per reason.
public enum LivesyncDrop: Int, CaseIterable, Sendable {
    /// Shorter than the 8-byte header.
    case tooShort
    /// A type other than PEER4 (0) / PEER6 (1).
    case unknownType
    /// A remainder after the last whole entry that is no trailer: the entries before it are used,
    /// the remainder is counted (opentracker ignores it silently).
    case truncatedEntry
    /// No trailer while a cluster key is required.
    case unsigned
    /// A trailer whose MAC does not match.
    case badMAC
    /// A timestamp outside the staleness window.
    case stale
    /// A sequence number this sender already used (or one too far behind to tell).
    case replayed
    /// From an address outside `--cluster-allow` / `livesync.cluster.node_ip`.
    case notAllowed
    /// Our own tracker id (multicast loop, or a packet reflected back).
    case own

    public var label: String {
        switch self {
        case .tooShort: "too_short"
        case .unknownType: "unknown_type"
        case .truncatedEntry: "truncated_entry"
        case .unsigned: "unsigned"
        case .badMAC: "bad_mac"
        case .stale: "stale"
        case .replayed: "replayed"
        case .notAllowed: "not_allowed"
        case .own: "own"
        }
    }
}

/// The trailer's fields; the MAC covers bytes `0..<macOffset` (header, entries, magic, timestamp,
/// sequence), so the sender's id, the time and the sequence are all authenticated.
public struct LivesyncTrailer: Sendable, Equatable {
    public var timestamp: UInt32
    public var sequence: UInt32
    public var macOffset: Int
}

/// A parsed sync datagram: a view of where its entries are, read one at a time without copying.
public struct LivesyncPacket: Sendable, Equatable {
    public var trackerID: UInt32
    public var isIPv6: Bool
    public var entryCount: Int
    public var trailer: LivesyncTrailer?
    /// Bytes after the last whole entry that were neither nothing nor a trailer.
    public var strayBytes: Int

    public enum ParseResult: Sendable, Equatable {
        case packet(LivesyncPacket)
        case drop(LivesyncDrop)
    }

    /// Never traps on any input: lengths are checked before every read.
    public static func parse(_ bytes: Span<UInt8>) -> ParseResult {
        guard bytes.count >= LivesyncFormat.headerSize else { return .drop(.tooShort) }
        let type = WireBytes.uint32(bytes, at: 4)
        let isIPv6: Bool
        switch type {
        case LivesyncFormat.typePeer4: isIPv6 = false
        case LivesyncFormat.typePeer6: isIPv6 = true
        default: return .drop(.unknownType)
        }
        let size = LivesyncFormat.entrySize(ipv6: isIPv6)
        let body = bytes.count - LivesyncFormat.headerSize
        var count = body / size
        var remainder = body % size
        // A trailer is recognised by its length and magic. With IPv6 (40 B entries) a 24 B trailer
        // is always the remainder; with IPv4 (28 B) too, since 24 < 28.
        var trailer: LivesyncTrailer?
        if remainder == LivesyncFormat.trailerSize {
            let start = bytes.count - LivesyncFormat.trailerSize
            if WireBytes.uint32(bytes, at: start) == LivesyncFormat.trailerMagic {
                trailer = LivesyncTrailer(
                    timestamp: WireBytes.uint32(bytes, at: start + 4), sequence: WireBytes.uint32(bytes, at: start + 8),
                    macOffset: start + 12)
                remainder = 0
            }
        }
        if count < 0 { count = 0 }
        return .packet(LivesyncPacket(
            trackerID: WireBytes.uint32(bytes, at: 0), isIPv6: isIPv6, entryCount: count, trailer: trailer,
            strayBytes: remainder))
    }

    /// Entry `index` (< `entryCount`) of the packet `bytes` was parsed from. IPv4 entries become IPv4
    /// peers and IPv6 entries IPv6 peers: opentracker HEAD copies v4 addresses into the head of a
    /// 16-byte field and stores bogus IPv6 peers; that is not copied.
    public func entry(at index: Int, in bytes: Span<UInt8>) -> LivesyncEntry {
        let size = LivesyncFormat.entrySize(ipv6: isIPv6)
        let offset = LivesyncFormat.headerSize + index * size
        precondition(index >= 0 && index < entryCount && offset + size <= bytes.count, "entry outside the packet")
        let infoHash = InfoHash(bytes, at: offset)
        let address: PeerAddress
        let after: Int
        if isIPv6 {
            address = .v6(IPv6Address(high: WireBytes.uint64(bytes, at: offset + 20), low: WireBytes.uint64(bytes, at: offset + 28)))
            after = offset + 36
        } else {
            address = .v4(IPv4Address(rawValue: WireBytes.uint32(bytes, at: offset + 20)))
            after = offset + 24
        }
        let port = WireBytes.uint16(bytes, at: after)
        return LivesyncEntry(
            infoHash: infoHash, endpoint: PeerEndpoint(address: address, port: port),
            flags: LivesyncFlags(rawValue: bytes[after + 2]))
    }
}
