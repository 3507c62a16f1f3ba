// BEP 15 announce request (98 B):
//   0 connection_id u64 | 8 action u32 = 1 | 12 transaction_id u32 | 16 info_hash 20 | 36 peer_id 20 |
//   56 downloaded u64 | 64 left u64 | 72 uploaded u64 | 80 event u32 | 84 IP address u32 | 88 key u32 |
//   92 num_want i32 | 96 port u16
// BEP 41 options may follow byte 98; they are accepted and ignored.
public struct AnnounceRequest: Hashable, Sendable {
    public var connectionID: ConnectionID
    public var transactionID: TransactionID
    public var infoHash: InfoHash
    public var peerID: PeerID
    public var downloaded: UInt64
    public var left: UInt64
    public var uploaded: UInt64
    public var event: AnnounceEvent
    /// BEP 15: 0 means "use the sender's address". Kept raw; whether to honour it is the server's call.
    public var ipAddress: UInt32
    public var key: UInt32
    /// Raw value; -1 (or any negative) means "tracker's default". See `UDPLimits.clampNumWant`.
    public var numWant: Int32
    public var port: UInt16

    public init(
        connectionID: ConnectionID, transactionID: TransactionID, infoHash: InfoHash, peerID: PeerID,
        downloaded: UInt64, left: UInt64, uploaded: UInt64, event: AnnounceEvent,
        ipAddress: UInt32, key: UInt32, numWant: Int32, port: UInt16
    ) {
        self.connectionID = connectionID
        self.transactionID = transactionID
        self.infoHash = infoHash
        self.peerID = peerID
        self.downloaded = downloaded
        self.left = left
        self.uploaded = uploaded
        self.event = event
        self.ipAddress = ipAddress
        self.key = key
        self.numWant = numWant
        self.port = port
    }

    // Field offsets, BEP 15 "announce" table.
    static let infoHashOffset = 16
    static let peerIDOffset = 36
    static let downloadedOffset = 56
    static let leftOffset = 64
    static let uploadedOffset = 72
    static let eventOffset = 80
    static let ipAddressOffset = 84
    static let keyOffset = 88
    static let numWantOffset = 92
    static let portOffset = 96

    /// Reads the fixed 98-byte part. The caller has checked `packet.count >= UDPLimits.announceRequestSize`.
    @inline(__always)
    init(parsing packet: Span<UInt8>) {
        connectionID = ConnectionID(rawValue: WireBytes.uint64(packet, at: 0))
        transactionID = TransactionID(rawValue: WireBytes.uint32(packet, at: 12))
        infoHash = InfoHash(packet, at: Self.infoHashOffset)
        peerID = PeerID(packet, at: Self.peerIDOffset)
        downloaded = WireBytes.uint64(packet, at: Self.downloadedOffset)
        left = WireBytes.uint64(packet, at: Self.leftOffset)
        uploaded = WireBytes.uint64(packet, at: Self.uploadedOffset)
        event = AnnounceEvent(wireValue: WireBytes.uint32(packet, at: Self.eventOffset))
        ipAddress = WireBytes.uint32(packet, at: Self.ipAddressOffset)
        key = WireBytes.uint32(packet, at: Self.keyOffset)
        numWant = Int32(bitPattern: WireBytes.uint32(packet, at: Self.numWantOffset))
        port = WireBytes.uint16(packet, at: Self.portOffset)
    }
}
