@testable import TrackerCore
import Testing
import TrackerProtocol

@Suite("Announce semantics")
struct TorrentStoreAnnounceTests {
    @Test("A peer is never sent its own address")
    func selfExclusion() {
        var h = Harness()
        let first = h.announce(testHash(1), from: v4(1))
        #expect(first.outcome.peerCount == 0)
        #expect(first.outcome.leechers == 1)
        h.announce(testHash(1), from: v4(2))
        for _ in 0..<20 {
            let reply = h.announce(testHash(1), from: v4(1))
            #expect(reply.peers == [v4(2)])
        }
        // Same address, other port: a different peer.
        let other = h.announce(testHash(1), from: v4(1, port: 7000))
        #expect(Set(other.peers) == [v4(1), v4(2)])
    }

    @Test("Compact IPv4 peers are address then port in network order")
    func compactIPv4Bytes() {
        var h = Harness()
        h.announce(testHash(1), from: .v4(IPv4Address(192, 168, 1, 2), port: 0x1AE1))
        let reply = h.announce(testHash(1), from: v4(9), offset: 20)
        #expect(reply.bytes == [192, 168, 1, 2, 0x1A, 0xE1])
    }

    @Test("Compact IPv6 peers are 16 address bytes then port in network order")
    func compactIPv6Bytes() {
        var h = Harness()
        let address = IPv6Address(high: 0x2001_0DB8_0102_0304, low: 0x0506_0708_090A_0B0C)
        h.announce(testHash(1), from: .v6(address, port: 443))
        let reply = h.announce(testHash(1), from: v6(99), offset: 20)
        #expect(reply.bytes == [0x20, 0x01, 0x0D, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x01, 0xBB])
    }

    @Test("Seeder and leecher counts are exact through transitions and stops")
    func exactCounts() {
        var h = Harness()
        let hash = testHash(3)
        for i in 1...30 { h.announce(hash, from: v4(UInt32(i)), seeder: i <= 10) }
        #expect(h.store.scrape(hash) == ScrapeCounts(seeders: 10, leechers: 20, downloaded: 0))
        // Leecher 15 finishes: becomes a seeder and counts one download.
        var reply = h.announce(hash, from: v4(15), event: .completed, seeder: true)
        #expect((reply.outcome.seeders, reply.outcome.leechers, reply.outcome.downloaded) == (11, 19, 1))
        // Seeder 3 starts a re-check and is a leecher again.
        reply = h.announce(hash, from: v4(3), seeder: false)
        #expect((reply.outcome.seeders, reply.outcome.leechers) == (10, 20))
        // Stopping returns counts after removal and no peers.
        reply = h.announce(hash, from: v4(1), event: .stopped, seeder: true)
        #expect((reply.outcome.seeders, reply.outcome.leechers, reply.outcome.peerCount) == (9, 20, 0))
        reply = h.announce(hash, from: v4(20), event: .stopped)
        #expect((reply.outcome.seeders, reply.outcome.leechers) == (9, 19))
        // Stopping twice changes nothing.
        reply = h.announce(hash, from: v4(20), event: .stopped)
        #expect((reply.outcome.seeders, reply.outcome.leechers) == (9, 19))
        let stats = h.store.statistics()
        #expect((stats.seeders, stats.leechers, stats.peers4, stats.torrents) == (9, 19, 28, 1))
    }

    @Test("Every reply's counts equal a fresh count of the swarm, both families, through growth, flips, stops and the peer cap",
          arguments: [0, 24])
    func replyCountsMatchTheSwarm(cap: Int) {
        var h = Harness(configuration: TrackerConfiguration(shardCount: 4, limits: StoreLimits(maxPeersPerTorrent: cap)))
        var draw = Xoshiro256(seed: UInt64(77 + cap))
        let hash = testHash(9)
        var mismatches = 0
        for _ in 0..<3_000 {
            // Few endpoints, so inline sets, lists, re-announces and both families all recur.
            let n = draw.next(below: 40)
            let endpoint = draw.next(below: 3) == 0 ? v6(n + 1) : v4(UInt32(n + 1))
            let event: AnnounceEvent = draw.next(below: 8) == 0 ? .stopped : .none
            let reply = h.announce(hash, from: endpoint, event: event, seeder: draw.next(below: 2) == 0)
            let swarm = h.store.scrape(hash)
            if (reply.outcome.seeders, reply.outcome.leechers) != (swarm.seeders, swarm.leechers) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        let stats = h.store.statistics()
        #expect(stats.seeders + stats.leechers == stats.peers4 + stats.peers6)
        // With a cap, new peers did evict others (40 endpoints per family against 24).
        #expect(cap == 0 ? h.store.totals.replacements == 0 : h.store.totals.replacements > 0)
    }

    @Test("Stopped on an unknown torrent does not create it")
    func stoppedUnknown() {
        var h = Harness()
        let reply = h.announce(testHash(5), from: v4(1), event: .stopped)
        #expect(reply.outcome == AnnounceOutcome(seeders: 0, leechers: 0, downloaded: 0, peerCount: 0))
        #expect(h.store.statistics().torrents == 0)
        #expect(h.store.scrape(testHash(5)) == .zero)
        #expect(h.store.statistics().torrents == 0)
    }

    @Test("The last peer stopping drops a torrent without downloads")
    func lastStopDrops() {
        var h = Harness()
        h.announce(testHash(5), from: v4(1))
        h.announce(testHash(5), from: v4(1), event: .stopped)
        #expect(h.store.statistics().torrents == 0)
    }

    @Test("Completed counts once per peer, not per announce")
    func downloadedOncePerPeer() {
        var h = Harness()
        let hash = testHash(4)
        h.announce(hash, from: v4(1), event: .started)
        h.announce(hash, from: v4(1), event: .completed, seeder: true)
        h.announce(hash, from: v4(1), event: .completed, seeder: true)
        h.announce(hash, from: v4(1), seeder: true)
        #expect(h.store.scrape(hash).downloaded == 1)
        // Many peers: one each, across swarm sizes where the index exists.
        for i in 2...40 { h.announce(hash, from: v4(UInt32(i)), event: .completed, seeder: true) }
        for i in 2...40 { h.announce(hash, from: v4(UInt32(i)), event: .completed, seeder: true) }
        #expect(h.store.scrape(hash).downloaded == 40)
        // An IPv6 peer completing counts into the same torrent.
        let reply = h.announce(hash, from: v6(1), event: .completed, seeder: true)
        #expect(reply.outcome.downloaded == 41)
    }

    @Test("Completed from a peer that still has bytes left is not a download (as in opentracker)")
    func completedWithLeftIgnored() {
        var h = Harness()
        h.announce(testHash(4), from: v4(1), event: .completed, seeder: false)
        #expect(h.store.scrape(testHash(4)).downloaded == 0)
        h.announce(testHash(4), from: v4(1), event: .completed, seeder: true)
        #expect(h.store.scrape(testHash(4)).downloaded == 1)
    }

    @Test("Shard count is rounded up to a power of two")
    func shardRounding() {
        #expect(TorrentStore(configuration: TrackerConfiguration(shardCount: 1000)).shardCount == 1024)
        #expect(TorrentStore(configuration: TrackerConfiguration(shardCount: 0)).shardCount == 1)
        #expect(TorrentStore().shardCount == 1024)
    }

    @Test("Seeders receive leechers before seeders")
    func seedersGetLeechersFirst() {
        var h = Harness()
        let hash = testHash(6)
        for i in 1...100 { h.announce(hash, from: v4(UInt32(i)), seeder: true) }
        for i in 101...110 { h.announce(hash, from: v4(UInt32(i))) }
        let leechers = Set((101...110).map { v4(UInt32($0)) })
        for _ in 0..<10 {
            let reply = h.announce(hash, from: v4(1), seeder: true, numWant: 25)
            #expect(reply.peers.count == 25)
            #expect(leechers.isSubset(of: Set(reply.peers)))
            #expect(!reply.peers.contains(v4(1)))
        }
        let few = h.announce(hash, from: v4(2), seeder: true, numWant: 5)
        #expect(Set(few.peers).isSubset(of: leechers))
    }

    @Test("Leechers receive a mix of seeders and leechers")
    func leechersGetMix() {
        var h = Harness()
        let hash = testHash(7)
        for i in 1...100 { h.announce(hash, from: v4(UInt32(i)), seeder: i <= 50) }
        let reply = h.announce(hash, from: v4(100), numWant: 20)
        let seeders = reply.peers.filter { if case .v4(let a) = $0.address { a.rawValue & 0xFFFF <= 50 } else { false } }
        #expect(reply.peers.count == 20)
        #expect(seeders.count == 10)
    }

    @Test("IPv4 requesters never get IPv6 peers and vice versa, but counts combine")
    func familySeparation() {
        var h = Harness()
        let hash = testHash(8)
        for i in 1...5 { h.announce(hash, from: v4(UInt32(i))) }
        for i in 1...3 { h.announce(hash, from: v6(UInt64(i)), seeder: true) }
        let four = h.announce(hash, from: v4(9))
        #expect(four.peers.count == 5)
        #expect(four.peers.allSatisfy { !$0.address.isIPv6 })
        #expect((four.outcome.seeders, four.outcome.leechers) == (3, 6))
        let six = h.announce(hash, from: v6(9))
        #expect(six.peers.count == 3)
        #expect(six.peers.allSatisfy { $0.address.isIPv6 })
        #expect((six.outcome.seeders, six.outcome.leechers) == (3, 7))
        let stats = h.store.statistics()
        #expect((stats.peers4, stats.peers6) == (6, 4))
    }

    @Test("numWant and the buffer size both bound the reply, which has no duplicates")
    func numWantAndNoDuplicates() {
        var h = Harness()
        let hash = testHash(9)
        for i in 1...300 { h.announce(hash, from: v4(UInt32(i)), seeder: i % 3 == 0) }
        for want in [0, 1, 7, 50, 200, 299, 400] {
            let reply = h.announce(hash, from: v4(1), numWant: want)
            #expect(reply.peers.count == min(want, 299))
            #expect(Set(reply.peers).count == reply.peers.count)
            #expect(!reply.peers.contains(v4(1)))
        }
        // 20 B header + room for 10 peers only.
        let tight = h.announce(hash, from: v4(2), numWant: 200, bufferSize: 20 + 60 + 5, offset: 20)
        #expect(tight.peers.count == 10)
        let negative = h.announce(hash, from: v4(2), numWant: -1)
        #expect(negative.peers.isEmpty)
    }

    @Test("A reply buffer with room for exactly the peers gets every peer right, the last one included")
    func exactFitReply() {
        // IPv4 peers are written 8 bytes at a time (2 spare bytes the next peer overwrites); where
        // those 8 bytes would not fit, the writer must fall back to the exact 6.
        var h = Harness()
        let hash = testHash(11)
        let swarm: [PeerEndpoint] = (1...12).map { (i: Int) -> PeerEndpoint in v4(UInt32(i), port: UInt16(7000 + i)) }
        for (i, peer) in swarm.enumerated() { h.announce(hash, from: peer, seeder: i.isMultiple(of: 3)) }
        let reply = h.announce(hash, from: swarm[4], numWant: 50, bufferSize: 20 + 11 * 6, offset: 20)
        var others = Set(swarm)
        others.remove(swarm[4])
        #expect(reply.peers.count == 11)
        #expect(Set(reply.peers) == others)
    }

    @Test("Wherever the requester sits in the window, the reply is distinct other peers, as many as asked or fit, leechers first for a seeder")
    func requesterAnywhereInWindow() {
        // Sampling stores every record of the window and steps over the requester's afterwards.
        // Random window starts put the requester first, last, in between and outside the window,
        // at every reply size, with room for exactly the reply (IPv4's 6-byte store path) and with
        // spare room. Peers share addresses on other ports (the port half of the endpoint), and
        // seeders completed first, so their stored meta differs from the re-announce's.
        var examinedKinds = Set<Int>()
        for ipv6 in [false, true] {
            let size = ipv6 ? 18 : 6
            for swarmSize in 3...9 {
                var h = Harness()
                let hash = testHash(UInt64(100 + swarmSize))
                let swarm = (1...swarmSize).map { (i: Int) -> PeerEndpoint in
                    ipv6 ? v6(UInt64(i % 3 + 1), port: UInt16(6000 + i)) : v4(UInt32(i % 3 + 1), port: UInt16(6000 + i))
                }
                let seeders = Set(swarm.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
                for peer in swarm {
                    let isSeeder = seeders.contains(peer)
                    h.announce(hash, from: peer, event: isSeeder ? .completed : .none, seeder: isSeeder)
                }
                for requester in swarm {
                    let isSeeder = seeders.contains(requester)
                    let leechersAvailable = swarm.filter { !seeders.contains($0) && $0 != requester }.count
                    for want in 1...swarmSize {
                        let expected = min(want, swarmSize - 1)
                        for room in [expected * size, expected * size + 64] {
                            for _ in 0..<8 {
                                let reply = h.announce(
                                    hash, from: requester, seeder: isSeeder, numWant: want,
                                    bufferSize: 20 + room, offset: 20)
                                #expect(reply.peers.count == expected)
                                #expect(Set(reply.peers).count == reply.peers.count)
                                #expect(!reply.peers.contains(requester))
                                #expect(Set(reply.peers).isSubset(of: swarm))
                                // Each window examines what it stores plus, at most, the requester.
                                #expect(reply.outcome.examined >= expected && reply.outcome.examined <= expected + 1)
                                examinedKinds.insert(reply.outcome.examined - expected)
                                if isSeeder {
                                    let leechers = reply.peers.filter { !seeders.contains($0) }.count
                                    #expect(leechers == min(expected, leechersAvailable))
                                }
                            }
                        }
                    }
                }
            }
        }
        // The sweep stepped over the requester inside a window and also missed it.
        #expect(examinedKinds == [0, 1])
    }

    @Test("A peer that turns seeder or leecher is skipped at its new place in the swarm")
    func requesterSkippedAfterMovingLists() {
        // Sampling steps over the requester at the position its upsert reports; a change of
        // seeder bit moves the record to the end of the other array (and another record into its
        // old place), with and without the endpoint index (more than 16 peers), for both families.
        // The replies while the swarm fills cover inline sets turning into a list (third peer).
        for ipv6 in [false, true] {
            for swarmSize in [6, 40] {
                var h = Harness()
                let hash = testHash(UInt64(200 + swarmSize + (ipv6 ? 1000 : 0)))
                let swarm = (1...swarmSize).map { ipv6 ? v6(UInt64($0)) : v4(UInt32($0)) }
                var isSeeder = Dictionary(uniqueKeysWithValues: swarm.enumerated().map { ($0.element, $0.offset % 2 == 0) })
                for (index, peer) in swarm.enumerated() {
                    let reply = h.announce(hash, from: peer, seeder: isSeeder[peer]!, numWant: swarmSize)
                    #expect(Set(reply.peers) == Set(swarm[..<index]))
                    #expect(reply.peers.count == index)
                }
                for round in 0..<3 {
                    for (index, requester) in swarm.enumerated() where (index + round) % 3 != 0 {
                        isSeeder[requester]!.toggle()
                        // Reply sizes from one peer to all others, so windows end before, at
                        // and after the requester's new place.
                        let want = 1 + (index + round) % (swarmSize - 1)
                        let reply = h.announce(hash, from: requester, seeder: isSeeder[requester]!, numWant: want)
                        #expect(reply.peers.count == want)
                        #expect(Set(reply.peers).count == want)
                        #expect(!reply.peers.contains(requester))
                        let seeders = isSeeder.values.filter { $0 }.count
                        #expect((reply.outcome.seeders, reply.outcome.leechers) == (UInt32(seeders), UInt32(swarmSize - seeders)))
                    }
                }
            }
        }
    }

    @Test("At the peer cap, a new peer that evicted another is never sent its own address")
    func requesterSkippedAfterEviction() {
        // The cap evicts a random peer before the new one is stored, moving another record into
        // the evicted one's place: the position the upsert then reports must still be the new
        // peer's.
        for ipv6 in [false, true] {
            var h = Harness(configuration: TrackerConfiguration(
                shardCount: 16, limits: StoreLimits(maxTorrents: 0, maxPeersPerTorrent: 24, newTorrentsPerMinute: 0)))
            let hash = testHash(ipv6 ? 301 : 300)
            for n in 1...200 {
                let peer = ipv6 ? v6(UInt64(n)) : v4(UInt32(n))
                let reply = h.announce(hash, from: peer, seeder: n.isMultiple(of: 3), numWant: 50)
                #expect(!reply.peers.contains(peer))
                #expect(reply.peers.count == min(n - 1, 23))
                #expect(Set(reply.peers).count == reply.peers.count)
            }
        }
    }

    @Test("A small swarm returns every other peer")
    func smallSwarmReturnsAll() {
        var h = Harness()
        let hash = testHash(10)
        for i in 1...12 { h.announce(hash, from: v6(UInt64(i)), seeder: i.isMultiple(of: 2)) }
        let reply = h.announce(hash, from: v6(5), numWant: 50)
        #expect(Set(reply.peers) == Set((1...12).filter { $0 != 5 }.map { v6(UInt64($0)) }))
    }

    @Test("An announce in a 100,000-peer swarm examines only about numWant peers")
    func largeSwarmBoundedWork() {
        var h = Harness()
        let hash = testHash(11)
        for i in 1...100_000 { h.announce(hash, from: v4(UInt32(i)), seeder: i % 4 == 0, numWant: 0) }
        #expect(h.store.scrape(hash) == ScrapeCounts(seeders: 25_000, leechers: 75_000, downloaded: 0))
        for requester in [1, 4, 50_000, 99_999] {
            let reply = h.announce(hash, from: v4(UInt32(requester)), seeder: requester % 4 == 0, numWant: 200)
            #expect(reply.peers.count == 200)
            #expect(reply.outcome.examined <= 202)
            #expect(Set(reply.peers).count == 200)
            #expect(!reply.peers.contains(v4(UInt32(requester))))
        }
    }
}
