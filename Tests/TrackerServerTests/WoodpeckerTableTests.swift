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

    @Test("Colliding networks keep their counts through a decay (probe chains re-packed)")
    func collisionsSurviveDecay() {
        let table = WoodpeckerTable()
        // 64 networks in a 4,096-slot table: some share home slots; each gets 4 records.
        let addresses = (0..<64).map { IPv4Address(rawValue: 0x0A00_0000 | UInt32($0) << 4) }
        for address in addresses { for _ in 0..<4 { table.record(address, now: start) } }
        #expect(networks(table).count == 64 && networks(table).values.allSatisfy { $0 == 4 })
        table.record(addresses[0], now: start + 120)
        let after = networks(table)
        #expect(after.count == 64)
        #expect(after[addresses[0].rawValue] == 3)
        #expect(addresses.dropFirst().allSatisfy { after[$0.rawValue] == 2 })
    }
}
