@testable import TrackerCore
import Testing

@Suite("Compact peer storage")
struct PeerListTests {
    @Test("Peer records are 8 bytes for IPv4 and 20 bytes for IPv6")
    func strides() {
        #expect(MemoryLayout<Peer4>.stride == 8)
        #expect(MemoryLayout<Peer6>.stride == 20)
    }

    @Test("Swarms of one or two peers are stored inline, larger ones in the slab")
    func smallSwarmsInline() {
        var slab = PeerSlab<Peer4>()
        var set = PeerSet<Peer4>.empty
        _ = set.upsert(Peer4(address: 1, port: 2), seed: 0, in: &slab)
        guard case .one = set else {
            Issue.record("expected the inline case")
            return
        }
        _ = set.upsert(Peer4(address: 3, port: 2), seed: 0, in: &slab)
        guard case .two = set else {
            Issue.record("expected two inline peers")
            return
        }
        #expect(slab.lists.isEmpty)
        _ = set.upsert(Peer4(address: 5, port: 2), seed: 0, in: &slab)
        guard case .many = set else {
            Issue.record("expected a list")
            return
        }
        #expect(slab.occupied == 1)
        #expect(set.remove(Peer4(address: 1, port: 2), seed: 0, in: &slab))
        guard case .two = set else {
            Issue.record("expected two inline peers again")
            return
        }
        #expect(slab.occupied == 0)
        let removed = set.remove(Peer4(address: 5, port: 2), seed: 0, in: &slab)
        #expect(removed)
        guard case .one(let peer) = set else {
            Issue.record("expected the inline case again")
            return
        }
        #expect(peer.address == 3)
    }

    @Test("The index agrees with a dictionary model under 50,000 random operations")
    func indexChurnMatchesModel() {
        var rng = Xoshiro256(seed: 2024)
        var slab = PeerSlab<Peer4>()
        var set = PeerSet<Peer4>.empty
        var model: [UInt64: Bool] = [:]      // endpoint → is seeder
        // Few distinct endpoints so inserts, updates and removes all hit existing peers; the swarm
        // size wanders across the inline, scan and index regimes.
        var universe = 40
        for step in 0..<50_000 {
            if step % 5000 == 0 { universe = [40, 400, 3000, 12][step / 5000 % 4] }
            let key = UInt64.random(in: 0..<UInt64(universe), using: &rng)
            let peer = Peer4(address: UInt32(key >> 2), port: UInt16(key & 3))
            let endpoint = UInt64(peer.address) << 16 | UInt64(peer.port)
            switch UInt8.random(in: 0..<10, using: &rng) {
            case 0..<4:
                let removed = set.remove(peer, seed: 99, in: &slab)
                #expect(removed == (model.removeValue(forKey: endpoint) != nil))
            default:
                let seeder = Bool.random(using: &rng)
                var stored = peer
                stored.meta = PeerMeta.make(stamp: 0, isSeeder: seeder, hasCompleted: false)
                _ = set.upsert(stored, seed: 99, in: &slab)
                model[endpoint] = seeder
            }
            if step % 97 == 0 || step == 49_999 {
                #expect(set.count(in: slab) == model.count)
                #expect(set.seederCount(in: slab) == model.values.filter { $0 }.count)
            }
        }
        // Every modelled peer is found where the model says, and nothing else is stored.
        guard case .many(let handle) = set else {
            #expect(model.count <= 2)
            return
        }
        let list = slab[handle]
        for (endpoint, seeder) in model {
            let probe = Peer4(address: UInt32(endpoint >> 16), port: UInt16(truncatingIfNeeded: endpoint))
            let location = list.find(probe, seed: 99)
            #expect(location?.isSeeder == seeder)
        }
        let stored = Set((list.seeders + list.leechers).map { UInt64($0.address) << 16 | UInt64($0.port) })
        #expect(stored == Set(model.keys))
    }

    @Test("Every index entry points at its own peer after heavy churn")
    func indexIntegrity() {
        var rng = Xoshiro256(seed: 7)
        var list = PeerList<Peer6>()
        var present: [Int: Bool] = [:]
        for _ in 0..<20_000 {
            let n = Int.random(in: 0..<2000, using: &rng)
            let peer = Peer6(IPv6Address(high: 1, low: UInt64(n)), port: 1,
                             meta: PeerMeta.make(stamp: 0, isSeeder: n % 3 == 0, hasCompleted: false))
            if let location = list.find(peer, seed: 3) {
                list.remove(at: location, seed: 3)
                present[n] = nil
            } else {
                list.insert(peer, seed: 3)
                present[n] = true
            }
        }
        #expect(list.count == present.count)
        #expect(list.hasIndex)
        let occupied = list.index.filter { $0 != 0 }
        #expect(occupied.count == list.count)
        for slot in occupied {
            let location = list.decode(slot)
            #expect(list.find(list[location], seed: 3) == location)
        }
    }
}
