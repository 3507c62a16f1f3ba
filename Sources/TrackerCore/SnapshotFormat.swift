/// The snapshot file layout, version 1. Every integer is big-endian.
///
/// ```
/// header   56 B  magic "RTSNAP\0\0" · version u32 · flags u32 · created u64 (Unix s) · shards u32 ·
///                torrents u64 · peers4 u64 · peers6 u64 · CRC-32C u32 of the preceding 52 bytes
/// block ×shards  index u32 · torrents u32 · payload length u32 · CRC-32C u32 (of the first 12 bytes,
///                then the payload) · payload
/// payload  torrent records: info_hash 20 · downloaded u32 · last activity u32 (Unix s) ·
///                peers4 u32 · peers6 u32 · peers4 × (address 4 · port 2 · meta 2) ·
///                peers6 × (address 16 · port 2 · meta 2)
/// trailer  12 B  "RTSNEND\0" · CRC-32C u32 over the header and every 16-byte block header
/// ```
/// The trailer's checksum covers each block's own checksum, so it vouches for every byte of the file
/// without a second pass over the payloads.
///
/// Peer `meta` is the in-memory layout with the stamp replaced by an age: bit 15 completed, bit 14
/// seeder, bits 0–13 whole minutes before `created`. Ages relative to a wall-clock header let a loader
/// days later discard the peers that timed out meanwhile, whatever the 14-bit stamp wrap.
public enum SnapshotFormat {
    /// "RTSNAP" and two NULs: eight bytes, so `file` and a hex dump name it at once.
    public static let magic: [UInt8] = Array("RTSNAP".utf8) + [0, 0]
    public static let trailerMagic: [UInt8] = Array("RTSNEND".utf8) + [0]
    public static let version: UInt32 = 1
    /// 8 magic + 4 version + 4 flags + 8 created + 4 shards + 3 × 8 counts + 4 CRC.
    public static let headerSize = 56
    /// index, torrent count, payload length, CRC: four u32.
    public static let blockHeaderSize = 16
    /// 8 magic + 4 CRC.
    public static let trailerSize = 12
    /// 20 info_hash + 4 downloaded + 4 last activity + 4 + 4 peer counts.
    public static let torrentRecordSize = 36
    /// 4 address + 2 port + 2 meta, each big-endian (the fields `Peer4` holds in 8 bytes).
    public static let peer4RecordSize = 8
    /// 16 address + 2 port + 2 meta, each big-endian (the fields `Peer6` holds in 20 bytes).
    public static let peer6RecordSize = 20
    /// The store's shard-count ceiling (2^20); anything above is a damaged header.
    public static let maximumShards = 1 << 20
    /// Age bits of a stored peer's meta (the in-memory stamp width).
    static let ageMask: UInt16 = 0x3FFF
}
