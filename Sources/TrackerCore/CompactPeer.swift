/// A stored peer record. Identity is address + port; `meta` packs a 14-bit minute stamp,
/// the seeder bit and the completed bit (opentracker keeps the same facts in 2 bytes).
protocol CompactPeer: BitwiseCopyable, Sendable {
    /// Bytes per peer in a compact reply (BEP 23 / BEP 7).
    static var compactSize: Int { get }
    var meta: UInt16 { get set }
    func hasSameEndpoint(as other: Self) -> Bool
    /// A well-mixed hash of address + port for the open-addressing index.
    func endpointHash(seed: UInt64) -> UInt64
    func writeCompact(into span: inout MutableRawSpan, at offset: Int)
    /// Bytes `writeCompactPadded` may touch: `compactSize` plus scratch the next record (or
    /// nothing) overwrites.
    static var paddedSize: Int { get }
    /// `writeCompact` in as few stores as possible, possibly writing up to `paddedSize` bytes;
    /// the caller guarantees `offset + paddedSize` bytes of room.
    func writeCompactPadded(into span: inout MutableRawSpan, at offset: Int)
    /// `writeCompactPadded` with no range check per store, for the sampling loop, which checks a
    /// whole run's range once. The caller guarantees `0 <= offset` and
    /// `offset + paddedSize <= span.byteCount`.
    @unsafe func writeCompactPadded(into span: inout MutableRawSpan, uncheckedAt offset: Int)
}

enum PeerMeta {
    /// 14 bits of minutes wrap after 16,384 min = 11.4 days, far beyond any peer timeout.
    static let stampMask: UInt16 = 0x3FFF
    static let seederBit: UInt16 = 0x4000
    static let completedBit: UInt16 = 0x8000

    static func minuteStamp(_ now: UInt32) -> UInt16 {
        UInt16(truncatingIfNeeded: now / 60) & stampMask
    }

    /// Whole minutes between a stamp and now, modulo the 14-bit wrap.
    static func age(of stamp: UInt16, now: UInt32) -> UInt16 {
        (minuteStamp(now) &- stamp) & stampMask
    }

    /// Ages in the upper half of the 14-bit range are stamps from the future: the wall clock stepped
    /// back (an NTP correction). Those peers count as fresh rather than all expiring at once; the
    /// cleaner runs every ~2 min, so no real peer gets 5.7 days old.
    static let maximumAge: UInt16 = stampMask / 2

    static func isExpired(stamp: UInt16, now: UInt32, timeoutMinutes: UInt16) -> Bool {
        let age = age(of: stamp, now: now)
        return age > timeoutMinutes && age <= maximumAge
    }

    static func make(stamp: UInt16, isSeeder: Bool, hasCompleted: Bool) -> UInt16 {
        (stamp & stampMask) | (isSeeder ? seederBit : 0) | (hasCompleted ? completedBit : 0)
    }
}

extension CompactPeer {
    var isSeeder: Bool { meta & PeerMeta.seederBit != 0 }
    var hasCompleted: Bool { meta & PeerMeta.completedBit != 0 }
    var minuteStamp: UInt16 { meta & PeerMeta.stampMask }
}

/// SplitMix64's finaliser: full avalanche, so low bits are usable as a table position.
@inline(__always)
func mixBits(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// What an upsert changed: whether the peer completed for the first time (so `downloaded` counts
/// once per peer), whether the change is worth telling cluster nodes about, and for a peer already
/// present the minute stamp of its previous announce (opentracker's `renew` statistics and
/// woodpecker spotting read the age from it).
struct UpsertResult {
    var completedNow: Bool
    var previousStamp: UInt16?
    /// New peer, first completion, seeder status changed, or a re-announce of a record at least
    /// `syncRenewMinutes` old (opentracker's OT_CLIENT_SYNC_RENEW_BOUNDARY).
    var worthSyncing: Bool
    /// The change in seeders this upsert made: +1 for a new seeder or a leecher turned seeder, −1
    /// for a seeder turned leecher (the store keeps its per-shard seeder count from it).
    var seederChange: Int
    /// Where the peer now is in the `PeerList` array its seeder bit names, so sampling can step
    /// over it without comparing every record; 0 for the inline sets, which have no positions.
    var position: Int = 0
    /// The family's peers and seeders after this upsert, so the reply's counts need no second
    /// look at the set (`PeerSet.upsert` and `PeerList.upsert` fill them in).
    var familyCount = 0
    var familySeeders = 0

    /// 10 min: a peer re-announcing every 30 min is re-synced each time, one announcing more often
    /// is not, so other nodes' copies never expire while the peer is alive (timeout 45 min).
    static let syncRenewMinutes: UInt16 = 10

    /// The peer was new (an update reports its previous stamp).
    var isInsertion: Bool { previousStamp == nil }

    @inline(__always)
    static func inserted(_ peer: some CompactPeer) -> UpsertResult {
        UpsertResult(
            completedNow: peer.hasCompleted, previousStamp: nil, worthSyncing: true, seederChange: peer.isSeeder ? 1 : 0)
    }

    @inline(__always)
    static func updated<P: CompactPeer>(_ peer: P, over existing: P) -> UpsertResult {
        let completedNow = peer.hasCompleted && !existing.hasCompleted
        let age = (peer.minuteStamp &- existing.minuteStamp) & PeerMeta.stampMask
        let renew = age >= syncRenewMinutes && age <= PeerMeta.maximumAge
        return UpsertResult(
            completedNow: completedNow, previousStamp: existing.minuteStamp,
            worthSyncing: completedNow || renew || peer.isSeeder != existing.isSeeder,
            seederChange: (peer.isSeeder ? 1 : 0) - (existing.isSeeder ? 1 : 0))
    }
}

extension CompactPeer {
    /// This announce's record for a stored peer with the same endpoint: the completed bit, once
    /// set, stays set.
    @inline(__always)
    func merged(over existing: Self) -> Self {
        var merged = self
        if existing.hasCompleted { merged.meta |= PeerMeta.completedBit }
        return merged
    }
}
