import Testing
import TrackerCore
@testable import TrackerServer

@Suite("Woodpecker table")
struct WoodpeckerTableTests {
    let start: UInt32 = 1_700_000_000

    func networks(_ table: WoodpeckerTable) -> [UInt32: UInt64] {
        var totals: [UInt32: UInt64] = [:]
        table.collect(into: &totals)
        return totals
    }

    @Test("Counts per /28; every 120 s they halve, and networks that reach zero are dropped")
    func countsAndDecay() {
        let table = WoodpeckerTable()
        for _ in 0..<5 { table.record(IPv4Address(10, 1, 2, 3), now: start) }
        table.record(IPv4Address(10, 9, 9, 9), now: start)
        #expect(networks(table) == [IPv4Address(10, 1, 2, 0).rawValue: 5, IPv4Address(10, 9, 9, 0).rawValue: 1])
        // Not yet due: no decay one second early.
        table.record(IPv4Address(10, 1, 2, 15), now: start + 119)
        #expect(networks(table)[IPv4Address(10, 1, 2, 0).rawValue] == 6)
        // Due: 6 halves to 3, then this record adds one; 1 halves to 0 and the network is gone.
        table.record(IPv4Address(10, 1, 2, 4), now: start + 120)
        #expect(networks(table) == [IPv4Address(10, 1, 2, 0).rawValue: 4])
    }

    @Test("A decay re-packs a probe chain: networks behind one that reached zero are still found")
    func decayRepacksChains() throws {
        // Three /28 networks with the same home slot, so they sit in one probe chain.
        let home = WoodpeckerTable.homeSlot(forKey: WoodpeckerTable.key(of: IPv4Address(rawValue: 0x0A00_0000)))
        let chain = Array((0..<(1 << 20)).lazy
            .map { IPv4Address(rawValue: 0x0A00_0000 | UInt32($0) << 4) }
            .filter { WoodpeckerTable.homeSlot(forKey: WoodpeckerTable.key(of: $0)) == home }
            .prefix(3))
        try #require(chain.count == 3)
        let (first, second, third) = (chain[0], chain[1], chain[2])
        let elsewhere = try #require((0..<(1 << 20)).lazy
            .map { IPv4Address(rawValue: 0x0B00_0000 | UInt32($0) << 4) }
            .first { abs(WoodpeckerTable.homeSlot(forKey: WoodpeckerTable.key(of: $0)) - home) > 64 })
        let table = WoodpeckerTable()
        table.record(first, now: start)
        for _ in 0..<4 { table.record(second, now: start) }
        for _ in 0..<4 { table.record(third, now: start) }
        #expect(table.occupiedSlots == 3)
        // The decay empties `first` (1 → 0) at the chain's head; the others halve to 2 and must
        // move up, or the next record of `third` would start a second slot for it.
        table.record(elsewhere, now: start + 120)
        table.record(third, now: start + 120)
        #expect(table.occupiedSlots == 3)
        #expect(networks(table) == [second.rawValue: 2, third.rawValue: 3, elsewhere.rawValue: 1])
    }
}
