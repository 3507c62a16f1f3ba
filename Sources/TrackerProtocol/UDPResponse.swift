// A BEP 15 reply as a client (ringflood, tests) sees it. Peers and scrape entries stay in the packet;
// read them with `UDPResponseParser.peerIPv4(at:in:)`, `peerIPv6(at:in:)` and `scrapeEntry(at:in:)`.
public enum UDPResponse: Hashable, Sendable {
    case connect(TransactionID, ConnectionID)
    /// transaction_id, interval, leechers, seeders, number of compact peers that follow.
    case announce(TransactionID, UInt32, UInt32, UInt32, Int)
    /// transaction_id, number of 12-byte entries.
    case scrape(TransactionID, Int)
    case error(TransactionID)

    public var transactionID: TransactionID {
        switch self {
        case .connect(let tid, _), .announce(let tid, _, _, _, _), .scrape(let tid, _), .error(let tid): tid
        }
    }
}
