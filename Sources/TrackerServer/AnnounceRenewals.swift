import Synchronization
import TrackerCore

/// opentracker's re-announce statistics (`EVENT_RENEW`, `EVENT_WOODPECKER` in trackerlogic.c):
/// how many minutes a known peer waited before announcing again (`/stats?mode=renew`), and which
/// networks hold peers that come back faster than they were told (`mode=woodpeckers`).
enum AnnounceRenewals {
    /// One bucket per minute of opentracker's 45-minute OT_PEER_TIMEOUT; older ages (a longer
    /// `--peer-timeout`) land in the last bucket.
    static let buckets = 45
    /// opentracker spots a woodpecker when a peer re-announces after 1…19 minutes: well under the
    /// 30-minute interval it was given.
    static let woodpeckerMinutes: ClosedRange<UInt16> = 1...19

    static func bucket(_ minutes: UInt16) -> Int { min(Int(minutes), buckets - 1) }
}

/// Re-announcing IPv4 networks (/28, opentracker's deepest level for IPv4) counted by one writer
/// (a UDP worker or an HTTP event loop) and read by `/stats`. A fixed open-addressing table of
/// packed slots, each `network << 35 | count` in one relaxed atomic: the writer never allocates or
/// locks, and a reader sees a whole slot or an older one. Counts halve every `decaySeconds`, as
/// opentracker's clean pass shifts its woodpecker tree down, so the list shows who is hammering now.
final class WoodpeckerTable: Sendable {
    /// 4,096 slots × 8 B = 32 KiB per writer; when full, further networks are not counted.
    static let capacity = 4096
    static let maximumProbes = 16
    static let decaySeconds: UInt32 = 120
    private static let countBits: UInt64 = 35
    private static let countMask: UInt64 = (1 << countBits) - 1

    /// The slots inline in the object: a probe is a load, where an array of counter objects cost
    /// a retain and a release per probed slot. The size is a literal (`capacity`, checked in init).
    private let slots: InlineArray<4096, Atomic<UInt64>>
    private let nextDecay = Atomic<UInt64>(0)

    init() {
        slots = InlineArray { _ in Atomic(0) }
        precondition(slots.count == Self.capacity, "WoodpeckerTable's slot count and capacity disagree")
    }

    /// The slot a network's probe starts at (`key` = the /28 network + 1).
    @inline(__always)
    static func homeSlot(forKey key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 52) & (capacity - 1)
    }

    /// The key of `address`'s /28 network: +1 so the network 0.0.0.0/28 is not the empty slot.
    @inline(__always)
    static func key(of address: IPv4Address) -> UInt64 { UInt64(address.rawValue >> 4) + 1 }

    /// Slots in use (one per network counted).
    var occupiedSlots: Int {
        slots.indices.reduce(0) { $0 + (slots[$1].load(ordering: .relaxed) == 0 ? 0 : 1) }
    }

    /// Single writer only. `address` is the peer's IPv4 address (numeric value).
    @inline(__always)
    func record(_ address: IPv4Address, now: UInt32) {
        if UInt64(now) >= nextDecay.load(ordering: .relaxed) { decay(now: now) }
        let key = Self.key(of: address)
        var index = Self.homeSlot(forKey: key)
        for _ in 0..<Self.maximumProbes {
            let packed = slots[index].load(ordering: .relaxed)
            if packed == 0 || packed >> Self.countBits == key {
                let count = min((packed & Self.countMask) + 1, Self.countMask)
                slots[index].store(key << Self.countBits | count, ordering: .relaxed)
                return
            }
            index = (index + 1) & (Self.capacity - 1)
        }
    }

    /// Halves every count once per `decaySeconds` (the first call only sets the schedule); empties
    /// slots that reach zero and re-packs the survivors so probe chains stay intact.
    @inline(never)
    private func decay(now: UInt32) {
        let due = nextDecay.load(ordering: .relaxed)
        nextDecay.store(UInt64(now) + UInt64(Self.decaySeconds), ordering: .relaxed)
        guard due != 0 else { return }
        var survivors: [(UInt64, UInt64)] = []
        for index in slots.indices {
            let packed = slots[index].load(ordering: .relaxed)
            guard packed != 0 else { continue }
            slots[index].store(0, ordering: .relaxed)
            let count = (packed & Self.countMask) / 2
            if count > 0 { survivors.append((packed >> Self.countBits, count)) }
        }
        for (key, count) in survivors {
            var index = Self.homeSlot(forKey: key)
            for _ in 0..<Self.maximumProbes {
                if slots[index].load(ordering: .relaxed) == 0 {
                    slots[index].store(key << Self.countBits | count, ordering: .relaxed)
                    break
                }
                index = (index + 1) & (Self.capacity - 1)
            }
        }
    }

    /// Adds this table's networks (as /28 network addresses) into `totals`.
    func collect(into totals: inout [UInt32: UInt64]) {
        for index in slots.indices {
            let packed = slots[index].load(ordering: .relaxed)
            guard packed != 0 else { continue }
            let network = UInt32(truncatingIfNeeded: (packed >> Self.countBits) - 1) << 4
            totals[network, default: 0] &+= packed & Self.countMask
        }
    }
}
