import TrackerProtocol

/// opentracker's livesync wire format (ot_livesync.c at HEAD 716dcfb), with RingTracker's optional
/// MAC trailer. Every packet: `tracker_id(4) type(4, BE)` then whole entries
/// `info_hash(20) address port(2, BE) flags(1) age(1)`; the trailer, when present, follows the last
/// entry and is shorter than one entry, so opentracker (which reads entries while a whole one fits)
/// never sees it.
public enum LivesyncFormat {
    /// tracker_id (4, opaque: opentracker writes its `random()` value in host order) + type (u32 BE).
    public static let headerSize = 8
    /// 20 B info_hash + 4 B address + 2 B port + 1 B flags + 1 B age.
    public static let entrySizeIPv4 = 28
    /// 20 B info_hash + 16 B address + 2 B port + 1 B flags + 1 B age.
    public static let entrySizeIPv6 = 40
    /// opentracker's LIVESYNC_OUTGOING_BUFFSIZE_PEERS: the largest packet it sends.
    public static let opentrackerMaxPacket = 1480
    /// What we send at most: 1,500 B Ethernet MTU − 40 B IPv6 header − 8 B UDP header, so a sync
    /// datagram is never fragmented over either transport (opentracker's 1,480 B is, by 8 B).
    public static let maxPacketSize = 1452
    /// Receive buffer: anything longer than opentracker ever sends is read whole up to here and
    /// parsed by whole entries (opentracker's 65 KiB buffer reads more, but sends no more than 1,480 B).
    public static let receiveBufferSize = 2048
    /// "RTM1": marks the trailer so a remainder of the right length is not mistaken for one.
    public static let trailerMagic: UInt32 = 0x5254_4D31
    /// HMAC-SHA256 truncated to 96 bits (RFC 2104 §5 allows truncation to no less than half the
    /// output and 80 bits; 96 is what IPsec's HMAC-SHA1-96 and SRTP use).
    public static let macSize = 12
    /// magic(4) + timestamp(4, Unix seconds BE) + sequence(4, BE) + MAC(12) = 24 B < 28 B (one IPv4
    /// entry), so opentracker ignores it.
    public static let trailerSize = 12 + macSize

    public static let typePeer4: UInt32 = 0
    public static let typePeer6: UInt32 = 1

    public static func entrySize(ipv6: Bool) -> Int { ipv6 ? entrySizeIPv6 : entrySizeIPv4 }

    /// Entries in one packet we send: IPv4 51 (50 signed), IPv6 36 (35 signed).
    public static func maxEntries(ipv6: Bool, signed: Bool) -> Int {
        (maxPacketSize - headerSize - (signed ? trailerSize : 0)) / entrySize(ipv6: ipv6)
    }
}

/// The flags byte of an entry (opentracker's PEER_FLAG_*; 0x10, "from sync", is local to it and
/// ignored here).
public struct LivesyncFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let seeding = LivesyncFlags(rawValue: 0x80)
    public static let completed = LivesyncFlags(rawValue: 0x40)
    public static let stopped = LivesyncFlags(rawValue: 0x20)
}

/// One synced peer change.
public struct LivesyncEntry: Sendable, Hashable {
    public var infoHash: InfoHash
    public var endpoint: PeerEndpoint
    public var flags: LivesyncFlags

    public init(infoHash: InfoHash, endpoint: PeerEndpoint, flags: LivesyncFlags) {
        self.infoHash = infoHash
        self.endpoint = endpoint
        self.flags = flags
    }
}

extension LivesyncEntry {
    /// The entry announcing a local change: `stopped` for a stop, `seeding` for `left == 0`,
    /// `completed` for a completion by a seeder (the only kind that counts, as in the store).
    @inline(__always)
    public static func change(_ infoHash: InfoHash, _ endpoint: PeerEndpoint, event: AnnounceEvent, isSeeder: Bool) -> LivesyncEntry {
        var flags: LivesyncFlags = event == .stopped ? .stopped : []
        if isSeeder { flags.insert(.seeding) }
        if event == .completed && isSeeder { flags.insert(.completed) }
        return LivesyncEntry(infoHash: infoHash, endpoint: endpoint, flags: flags)
    }
}
