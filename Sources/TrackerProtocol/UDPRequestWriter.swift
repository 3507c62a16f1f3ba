// Writes BEP 15 requests, for the load generator and tests: the client side of `UDPRequestParser`.
// Every function returns the bytes written and never allocates.
public enum UDPRequestWriter {
    /// protocol_id | action 0 | transaction_id = 16 B.
    public static func connect(_ tid: TransactionID, into span: inout MutableRawSpan) -> Int {
        WireBytes.store(UDPLimits.protocolID, into: &span, at: 0)
        WireBytes.store(UDPAction.connect.rawValue, into: &span, at: 8)
        WireBytes.store(tid.rawValue, into: &span, at: 12)
        return UDPLimits.minimumRequestSize
    }

    /// The fixed 98-byte announce (no BEP 41 options).
    public static func announce(_ request: AnnounceRequest, into span: inout MutableRawSpan) -> Int {
        writeHeader(request.connectionID, .announce, request.transactionID, into: &span)
        request.infoHash.write(into: &span, at: AnnounceRequest.infoHashOffset)
        request.peerID.write(into: &span, at: AnnounceRequest.peerIDOffset)
        WireBytes.store(request.downloaded, into: &span, at: AnnounceRequest.downloadedOffset)
        WireBytes.store(request.left, into: &span, at: AnnounceRequest.leftOffset)
        WireBytes.store(request.uploaded, into: &span, at: AnnounceRequest.uploadedOffset)
        WireBytes.store(request.event.rawValue, into: &span, at: AnnounceRequest.eventOffset)
        WireBytes.store(request.ipAddress, into: &span, at: AnnounceRequest.ipAddressOffset)
        WireBytes.store(request.key, into: &span, at: AnnounceRequest.keyOffset)
        WireBytes.store(UInt32(bitPattern: request.numWant), into: &span, at: AnnounceRequest.numWantOffset)
        WireBytes.store(request.port, into: &span, at: AnnounceRequest.portOffset)
        return UDPLimits.announceRequestSize
    }

    /// connection_id | action 2 | transaction_id = 16 B; hashes follow via `scrapeHash`.
    public static func scrapeHeader(_ cid: ConnectionID, _ tid: TransactionID, into span: inout MutableRawSpan) -> Int {
        writeHeader(cid, .scrape, tid, into: &span)
        return UDPLimits.minimumRequestSize
    }

    /// One info_hash at 16 + 20 × index; returns 20.
    public static func scrapeHash(index: Int, _ infoHash: InfoHash, into span: inout MutableRawSpan) -> Int {
        infoHash.write(into: &span, at: UDPLimits.minimumRequestSize + UDPLimits.infoHashSize * index)
        return UDPLimits.infoHashSize
    }

    private static func writeHeader(_ cid: ConnectionID, _ action: UDPAction, _ tid: TransactionID, into span: inout MutableRawSpan) {
        WireBytes.store(cid.rawValue, into: &span, at: 0)
        WireBytes.store(action.rawValue, into: &span, at: 8)
        WireBytes.store(tid.rawValue, into: &span, at: 12)
    }
}
