import Testing
import TrackerCore
import TrackerProtocol

@Suite("Decoy peers")
struct DecoyPolicyTests {
    let policy = DecoyPolicy(
        percent: 25, ipv4: [.init(network: 0xC633_6400, prefixLength: 24)],  // 198.51.100.0/24
        ipv6: [.init(high: 0x2001_0DB8_0000_0000, low: 0, prefixLength: 64)])

    @Test("Off by default, and never more than the configured share of a reply")
    func share() {
        #expect(TrackerConfiguration().decoys == .off)
        #expect(DecoyPolicy.off.count(real: 100, room: 100, ipv6: false) == 0)
        #expect(policy.count(real: 0, room: 50, ipv6: false) == 0, "no real peers, no decoys")
        for real in 1...200 {
            let decoys = policy.count(real: real, room: 1000, ipv6: false)
            #expect(decoys * 100 <= (real + decoys) * 25, "\(decoys) decoys for \(real) peers")
        }
        #expect(policy.count(real: 30, room: 10, ipv6: false) == 10)
        #expect(policy.count(real: 30, room: 100, ipv6: false) == 10)
        #expect(DecoyPolicy(percent: 90, ipv4: policy.ipv4, ipv6: []).percent == DecoyPolicy.maximumPercent)
        #expect(DecoyPolicy(percent: 25, ipv4: [], ipv6: policy.ipv6).count(real: 30, room: 100, ipv6: false) == 0,
                "no IPv4 range, no IPv4 decoys")
    }

    @Test("Announce replies carry decoys from the operator's range only, after the real peers, and counts stay true")
    func announce() throws {
        var configuration = TrackerConfiguration(shardCount: 4)
        configuration.decoys = policy
        let store = TorrentStore(configuration: configuration)
        let hash = InfoHash(bytes: [UInt8](repeating: 3, count: 20))
        var rng = Xoshiro256(seed: 5)
        var buffer = [UInt8](repeating: 0, count: 200 * 6)
        for n in 0..<40 {
            var span = buffer.mutableSpan
            var raw = span.mutableBytes
            _ = store.announce(
                Announce(infoHash: hash, event: .none, isSeeder: n % 2 == 0, numWant: 0),
                from: .v4(IPv4Address(10, 0, 0, UInt8(n)), port: 6881), now: 1000, rng: &rng, peers: &raw, at: 0)
        }
        var span = buffer.mutableSpan
        var raw = span.mutableBytes
        let outcome = store.announce(
            Announce(infoHash: hash, event: .none, isSeeder: false, numWant: 200),
            from: .v4(IPv4Address(10, 0, 1, 1), port: 6881), now: 1000, rng: &rng, peers: &raw, at: 0)
        #expect(outcome.seeders == 20 && outcome.leechers == 21, "decoys are not counted as peers")
        #expect(outcome.decoys == 40 * 25 / 75)
        #expect(outcome.peerCount == 40 + outcome.decoys)
        let records = (0..<outcome.peerCount).map { Array(buffer[($0 * 6)..<($0 * 6 + 6)]) }
        #expect(records.prefix(40).allSatisfy { $0[0] == 10 }, "real peers first")
        for record in records.suffix(outcome.decoys) {
            #expect(record[0...2] == [198, 51, 100] && record[3] != 0 && record[3] != 255)
            #expect(UInt16(record[4]) << 8 | UInt16(record[5]) >= 1024)
        }

        var buffer6 = [UInt8](repeating: 0, count: 66 * 18)
        for n in 0..<8 {
            var span6 = buffer6.mutableSpan
            var raw6 = span6.mutableBytes
            _ = store.announce(
                Announce(infoHash: hash, event: .none, isSeeder: true, numWant: 66),
                from: .v6(IPv6Address(high: 0xFD00_0000_0000_0000, low: UInt64(n + 1)), port: 1), now: 1000, rng: &rng,
                peers: &raw6, at: 0)
        }
        var span6 = buffer6.mutableSpan
        var raw6 = span6.mutableBytes
        let outcome6 = store.announce(
            Announce(infoHash: hash, event: .none, isSeeder: false, numWant: 66),
            from: .v6(IPv6Address(high: 0xFD00_0000_0000_0000, low: 99), port: 1), now: 1000, rng: &rng,
            peers: &raw6, at: 0)
        #expect(outcome6.decoys == 8 * 25 / 75)
        for index in (outcome6.peerCount - outcome6.decoys)..<outcome6.peerCount {
            #expect(buffer6[(index * 18)..<(index * 18 + 8)].elementsEqual([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0]))
        }
    }
}
