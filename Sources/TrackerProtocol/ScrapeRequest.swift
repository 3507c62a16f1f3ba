// BEP 15 scrape request: connection_id u64 | action u32 = 2 | transaction_id u32 | info_hash 20 × n.
// The hashes stay in the packet: the server reads them one at a time with `infoHash(at:in:)`, so a
// scrape never copies or allocates.
public struct ScrapeRequest: Hashable, Sendable {
    public var connectionID: ConnectionID
    public var transactionID: TransactionID
    /// Full 20-byte hashes in the packet (a trailing partial hash is ignored), at most
    /// `UDPLimits.maxScrapeHashes`; always ≥ 1 for a parsed request.
    public var count: Int

    public init(connectionID: ConnectionID, transactionID: TransactionID, count: Int) {
        self.connectionID = connectionID
        self.transactionID = transactionID
        self.count = count
    }

    /// The `index`-th info_hash of a scrape packet. Precondition: `index < count` of the request
    /// parsed from the same packet.
    public static func infoHash(at index: Int, in packet: Span<UInt8>) -> InfoHash {
        InfoHash(packet, at: UDPLimits.minimumRequestSize + index * UDPLimits.infoHashSize)
    }
}
