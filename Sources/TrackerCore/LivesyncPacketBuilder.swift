import TrackerProtocol

/// Fills one family's outgoing sync packet. The buffer is allocated once (`maxPacketSize`) and
/// reused after each `reset`, so batching allocates nothing per entry.
public struct LivesyncPacketBuilder: Sendable {
    public let isIPv6: Bool
    public let capacity: Int
    public private(set) var bytes: [UInt8]
    /// Bytes used: header plus entries (the trailer is appended by `seal`).
    public private(set) var count: Int
    public private(set) var entryCount = 0

    /// `signed`: room is kept for the 24-byte trailer.
    public init(trackerID: UInt32, ipv6: Bool, signed: Bool) {
        self.isIPv6 = ipv6
        self.capacity = LivesyncFormat.maxEntries(ipv6: ipv6, signed: signed)
        self.bytes = [UInt8](repeating: 0, count: LivesyncFormat.maxPacketSize)
        self.count = LivesyncFormat.headerSize
        var span = bytes.mutableSpan
        WireBytes.store(trackerID, into: &span, at: 0)
        WireBytes.store(ipv6 ? LivesyncFormat.typePeer6 : LivesyncFormat.typePeer4, into: &span, at: 4)
    }

    public var isEmpty: Bool { entryCount == 0 }
    public var isFull: Bool { entryCount >= capacity }

    /// Appends an entry of this builder's family. Returns false (and writes nothing) when full or
    /// when the entry is of the other family.
    @discardableResult
    public mutating func append(_ entry: LivesyncEntry) -> Bool {
        guard !isFull, entry.endpoint.address.isIPv6 == isIPv6 else { return false }
        let offset = count
        var span = bytes.mutableSpan
        let words = entry.infoHash.words
        WireBytes.store(words.high, into: &span, at: offset)
        WireBytes.store(words.middle, into: &span, at: offset + 8)
        WireBytes.store(words.low, into: &span, at: offset + 16)
        let after: Int
        switch entry.endpoint.address {
        case .v4(let address):
            WireBytes.store(address.rawValue, into: &span, at: offset + 20)
            after = offset + 24
        case .v6(let address):
            WireBytes.store(address.high, into: &span, at: offset + 20)
            WireBytes.store(address.low, into: &span, at: offset + 28)
            after = offset + 36
        }
        WireBytes.store(entry.endpoint.port, into: &span, at: after)
        span[after + 2] = entry.flags.rawValue
        span[after + 3] = 0  // age in minutes: a change is sent when it happens
        count = after + 4
        entryCount += 1
        return true
    }

    /// Writes the trailer's magic, timestamp and sequence after the entries and returns the offset
    /// where the MAC goes (the MAC covers every byte before it). The caller writes the MAC with
    /// `setMAC` and then sends `packetLength` bytes.
    public mutating func sealHeader(timestamp: UInt32, sequence: UInt32) -> Int {
        let start = count
        var span = bytes.mutableSpan
        WireBytes.store(LivesyncFormat.trailerMagic, into: &span, at: start)
        WireBytes.store(timestamp, into: &span, at: start + 4)
        WireBytes.store(sequence, into: &span, at: start + 8)
        return start + 12
    }

    public mutating func setMAC(_ mac: some Sequence<UInt8>, at offset: Int) {
        var index = offset
        for byte in mac where index < offset + LivesyncFormat.macSize {
            bytes[index] = byte
            index += 1
        }
    }

    /// Bytes to send: with a trailer when `signed`.
    public func packetLength(signed: Bool) -> Int { count + (signed ? LivesyncFormat.trailerSize : 0) }

    /// Empties the packet for the next batch (header kept).
    public mutating func reset() {
        count = LivesyncFormat.headerSize
        entryCount = 0
    }
}
