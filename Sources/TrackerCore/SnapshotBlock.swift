import TrackerProtocol
/// One shard's encoded torrents, block header and checksum included, ready to be written as is.
public struct SnapshotBlock: Sendable {
    public var index: Int
    public var torrents: Int
    public var peers4: Int
    public var peers6: Int
    /// `SnapshotFormat.blockHeaderSize` header bytes followed by the payload.
    public var bytes: [UInt8]

    public init(index: Int, torrents: Int, peers4: Int, peers6: Int, bytes: [UInt8]) {
        self.index = index
        self.torrents = torrents
        self.peers4 = peers4
        self.peers6 = peers6
        self.bytes = bytes
    }

    /// Fills in the block header (index, count, length, CRC) in front of an already written payload.
    static func sealed(_ unsealed: consuming [UInt8], index: Int, torrents: Int) -> [UInt8] {
        var bytes = unsealed
        let payloadLength = bytes.count - SnapshotFormat.blockHeaderSize
        do {
            var span = bytes.mutableSpan
            WireBytes.store(UInt32(truncatingIfNeeded: index), into: &span, at: 0)
            WireBytes.store(UInt32(truncatingIfNeeded: torrents), into: &span, at: 4)
            WireBytes.store(UInt32(truncatingIfNeeded: payloadLength), into: &span, at: 8)
        }
        let crc = checksum(bytes.span, at: 0, payloadLength: payloadLength)
        do {
            var span = bytes.mutableSpan
            WireBytes.store(crc, into: &span, at: 12)
        }
        return bytes
    }

    /// CRC-32C over the first 12 block-header bytes, then the payload (skipping the CRC field).
    static func checksum(_ bytes: Span<UInt8>, at start: Int, payloadLength: Int) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes, from: start, to: start + 12)
        let payload = start + SnapshotFormat.blockHeaderSize
        crc.update(bytes, from: payload, to: payload + payloadLength)
        return crc.value
    }
}
