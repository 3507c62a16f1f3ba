// Writes BEP 15 replies into a caller-owned send buffer. Every function returns the bytes written,
// never allocates, and writes big-endian fields at BEP 15's offsets. The buffer must be large enough
// for the fixed-size replies (`UDPLimits.maxResponseSize` always is); `error` honours any `limit`.
public enum UDPResponseWriter {
    /// action 0 | transaction_id | connection_id = 16 B.
    public static func connect(_ tid: TransactionID, _ cid: ConnectionID, into span: inout MutableRawSpan) -> Int {
        WireBytes.store(UDPAction.connect.rawValue, into: &span, at: 0)
        WireBytes.store(tid.rawValue, into: &span, at: 4)
        WireBytes.store(cid.rawValue, into: &span, at: 8)
        return UDPLimits.connectResponseSize
    }

    /// action 1 | transaction_id | interval | leechers | seeders = 20 B. Compact peers follow at
    /// offset 20 (written by TrackerCore), 6 B each for IPv4 and 18 B for IPv6. Inlinable: one per
    /// announce, written from TrackerServer.
    @inlinable @inline(__always)
    public static func announceHeader(
        _ tid: TransactionID, interval: UInt32, leechers: UInt32, seeders: UInt32,
        into span: inout MutableRawSpan
    ) -> Int {
        WireBytes.store(UDPAction.announce.rawValue, into: &span, at: 0)
        WireBytes.store(tid.rawValue, into: &span, at: 4)
        WireBytes.store(interval, into: &span, at: 8)
        WireBytes.store(leechers, into: &span, at: 12)
        WireBytes.store(seeders, into: &span, at: 16)
        return UDPLimits.announceResponseHeaderSize
    }

    /// action 2 | transaction_id = 8 B; entries follow.
    public static func scrapeHeader(_ tid: TransactionID, into span: inout MutableRawSpan) -> Int {
        WireBytes.store(UDPAction.scrape.rawValue, into: &span, at: 0)
        WireBytes.store(tid.rawValue, into: &span, at: 4)
        return UDPLimits.scrapeResponseHeaderSize
    }

    /// seeders | completed | leechers = 12 B at 8 + 12 × index. BEP 15 puts seeders first and
    /// leechers last here, the reverse of the announce reply.
    public static func scrapeEntry(
        index: Int, seeders: UInt32, completed: UInt32, leechers: UInt32,
        into span: inout MutableRawSpan
    ) -> Int {
        let offset = UDPLimits.scrapeResponseHeaderSize + UDPLimits.scrapeEntrySize * index
        WireBytes.store(seeders, into: &span, at: offset)
        WireBytes.store(completed, into: &span, at: offset + 4)
        WireBytes.store(leechers, into: &span, at: offset + 8)
        return UDPLimits.scrapeEntrySize
    }

    /// action 3 | transaction_id | message, never more than `limit` (nor the buffer) bytes: the
    /// server passes the request's length so an error reply is never an amplifier. The message is
    /// truncated to fit; below 8 B nothing is written and 0 is returned. BEP 15 sends the message
    /// without a terminator (opentracker's trailing NUL is not copied).
    ///
    /// Messages up to 15 bytes are read without allocating (Swift small strings); the hot path
    /// uses `error(_:reason:limit:into:)`, which never allocates.
    public static func error(_ tid: TransactionID, message: StaticString, limit: Int, into span: inout MutableRawSpan) -> Int {
        // StaticString offers its bytes only through an UnsafeBufferPointer; going through String
        // keeps this module free of unsafe code.
        let text = message.description
        return error(tid, messageBytes: text.utf8, limit: limit, into: &span)
    }

    /// The error reply for a reject reason, allocation-free: the message bytes are decoded once.
    public static func error(_ tid: TransactionID, reason: UDPRejectReason, limit: Int, into span: inout MutableRawSpan) -> Int {
        error(tid, messageBytes: UDPRejectReason.messageBytes[reason.rawValue], limit: limit, into: &span)
    }

    static func error(
        _ tid: TransactionID, messageBytes: some Collection<UInt8>, limit: Int, into span: inout MutableRawSpan
    ) -> Int {
        let capacity = min(limit, span.byteCount)
        guard capacity >= UDPLimits.errorHeaderSize else { return 0 }
        WireBytes.store(UDPAction.error.rawValue, into: &span, at: 0)
        WireBytes.store(tid.rawValue, into: &span, at: 4)
        var offset = UDPLimits.errorHeaderSize
        for byte in messageBytes {
            guard offset < capacity else { break }
            span.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
        return offset
    }
}

extension UDPRejectReason {
    /// UTF-8 of each `message`, indexed by `rawValue`; built once so error replies never allocate.
    static let messageBytes: [[UInt8]] = allCases.map { Array($0.message.description.utf8) }
}
