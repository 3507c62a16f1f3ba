import Synchronization

/// New torrents per client network per minute, in a fixed table of atomic counters: no allocation,
/// no lock, bounded memory whatever the number of networks. Each slot packs the minute it counts
/// (high 32 bits) and the count (low 32 bits); a network hashes (keyed, so slots cannot be aimed
/// at) to one slot, and networks that share a slot share a budget: stricter, never looser.
final class NewTorrentBudget: Sendable {
    /// 65,536 slots × 8 B = 512 KiB: collisions stay rare below tens of thousands of networks
    /// creating torrents in the same minute.
    static let slotCount = 1 << 16  // the InlineArray's count below

    let perMinute: UInt32
    private let key: UInt64
    private let slots: InlineArray<65536, Atomic<UInt64>>

    init(perMinute: Int, key: UInt64) {
        self.perMinute = UInt32(clamping: perMinute)
        self.key = key
        slots = InlineArray { _ in Atomic<UInt64>(0) }
    }

    /// Takes one new torrent from `network`'s budget for the minute of `now`; false when spent.
    func take(_ network: UInt64, now: UInt32) -> Bool {
        let minute = UInt64(now / 60)
        var hasher = SipHash24(key: (key, ~key))
        hasher.append(word: network)
        let index = Int(truncatingIfNeeded: hasher.finalize() >> 48)
        var current = slots[index].load(ordering: .relaxed)
        while true {
            let count = current >> 32 == minute ? current & 0xFFFF_FFFF : 0
            guard count < UInt64(perMinute) else { return false }
            let (exchanged, original) = slots[index].compareExchange(
                expected: current, desired: minute << 32 | (count + 1), ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }
}
