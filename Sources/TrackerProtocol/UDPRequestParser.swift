// Classifies one received datagram as a BEP 15 request, an answerable reject, or a drop.
//
// No allocation and no trap for any input: the length is checked once per message type, then fields
// are read at fixed offsets (BEP 15 tables, see the request types).
public enum UDPRequestParser {
    public static func parse(_ packet: Span<UInt8>) -> UDPParseResult {
        // BEP 15: every request starts with 8 B id, 4 B action, 4 B transaction_id; shorter packets
        // have nothing to answer to.
        guard packet.count >= UDPLimits.minimumRequestSize else { return .drop(.tooShort) }

        let leading = WireBytes.uint64(packet, at: 0)
        let action = WireBytes.uint32(packet, at: 8)
        let transactionID = TransactionID(rawValue: WireBytes.uint32(packet, at: 12))
        let connectionID = ConnectionID(rawValue: leading)

        // A switch on the number itself: the enum's synthesised init(rawValue:) stayed a call.
        switch action {
        case UDPAction.connect.rawValue:
            // The magic is the only thing telling a BEP 15 client from stray traffic; a connect has
            // no connection ID to validate, so a wrong magic is dropped rather than answered.
            guard leading == UDPLimits.protocolID else { return .drop(.badProtocolID) }
            return .request(.connect(ConnectRequest(transactionID: transactionID)))

        case UDPAction.announce.rawValue:
            guard packet.count >= UDPLimits.announceRequestSize else {
                return .reject(connectionID, transactionID, .announceTooShort)
            }
            // Bytes past 98 are BEP 41 options (e.g. URLData); they never change the answer.
            return .request(.announce(AnnounceRequest(parsing: packet)))

        case UDPAction.scrape.rawValue:
            // Only full hashes count: a trailing partial hash is not a hash (opentracker scrapes it
            // as an extra entry of garbage; we do not copy that bug).
            let full = (packet.count - UDPLimits.minimumRequestSize) / UDPLimits.infoHashSize
            guard full > 0 else { return .reject(connectionID, transactionID, .scrapeWithoutHashes) }
            // Clamp, don't refuse (STYLE.md): extra hashes are ignored, as in opentracker.
            let count = min(full, UDPLimits.maxScrapeHashes)
            return .request(.scrape(ScrapeRequest(connectionID: connectionID, transactionID: transactionID, count: count)))

        default:  // UDPAction.error (only ever sent by a tracker) or no action at all
            return .reject(connectionID, transactionID, .unknownAction)
        }
    }
}
