import Testing
@testable import ringflood

@Suite struct PopularitySamplerTests {
    @Test func theMostPopularTorrentIsTheFirstAndTheTailIsFlat() {
        let sampler = PopularitySampler(torrents: 10_000, peers: 20_000)
        #expect(sampler.torrent(forUnit: 0) == 0)
        #expect(sampler.torrent(forUnit: 0.999_999_999) == 9_999)
        let base = 10_000.0 / 20_000.0
        let head = PopularitySampler.weight(0, torrents: 10_000, base: base, n: 10_000)
        let tail = PopularitySampler.weight(9_999, torrents: 10_000, base: base, n: 10_000)
        #expect(head > 600 && tail < 0.51)
        for i in 1..<sampler.cumulative.count { #expect(sampler.cumulative[i] >= sampler.cumulative[i - 1]) }
        #expect(abs(sampler.cumulative.last! - 1) < 1e-12)
    }

    @Test func twoPeersPerTorrentTouchAbout43PercentOfTorrentsLikeFlood2() {
        // flood2's draw with P = 2N, measured once: 43,130 of 100,000 torrents had peers.
        let model = FloodModel(seed: 1, torrents: 100_000, peers: 200_000, seederProbability: 0.75)
        let used = Set(model.peerTorrent).count
        #expect(used > 40_000 && used < 46_000, "\(used) torrents with peers")
    }

    @Test func samplingIsDeterministicForASeed() {
        let sampler = PopularitySampler(torrents: 1_000, peers: 2_000)
        var a = FloodRandom(seed: 7)
        var b = FloodRandom(seed: 7)
        var c = FloodRandom(seed: 8)
        let drawsA = (0..<100).map { _ in sampler.sample(using: &a) }
        let drawsB = (0..<100).map { _ in sampler.sample(using: &b) }
        let drawsC = (0..<100).map { _ in sampler.sample(using: &c) }
        #expect(drawsA == drawsB)
        #expect(drawsA != drawsC)
    }
}

@Suite struct FloodModelTests {
    @Test func infoHashesAndPeersArePureFunctionsOfTheSeed() {
        let a = FloodModel(seed: 1, torrents: 1_000, peers: 2_000, seederProbability: 0.75)
        let b = FloodModel(seed: 1, torrents: 1_000, peers: 2_000, seederProbability: 0.75)
        let c = FloodModel(seed: 2, torrents: 1_000, peers: 2_000, seederProbability: 0.75)
        #expect(a.hashBytes == b.hashBytes && a.peerTorrent == b.peerTorrent)
        #expect(a.hashBytes != c.hashBytes)
        #expect(Set((0..<1_000).map { a.infoHash($0) }).count == 1_000)
    }

    @Test func theWhitelistHasOneLowercaseHexHashPerLineMatchingTheModel() {
        let model = FloodModel(seed: 3, torrents: 50, peers: 100, seederProbability: 0.75)
        let lines = FloodModel.whitelist(seed: 3, torrents: 50).split(separator: "\n")
        #expect(lines.count == 50)
        #expect(lines.allSatisfy { $0.count == 40 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
        #expect(String(lines[7]) == model.infoHash(7).hex)
    }

    @Test func aboutThreeQuartersOfPeersStartAsSeeders() {
        let model = FloodModel(seed: 1, torrents: 1_000, peers: 20_000, seederProbability: 0.75)
        let seeders = (0..<20_000).filter { model.startsAsSeeder($0) }.count
        #expect(seeders > 14_700 && seeders < 15_300)
    }

    @Test func peerIDsCarryTheClientPrefixAndDifferPerPeer() {
        let model = FloodModel(seed: 1, torrents: 10, peers: 10, seederProbability: 0.75)
        var first = [UInt8](repeating: 0, count: 20)
        var second = first
        model.writePeerID(0, into: &first)
        model.writePeerID(1, into: &second)
        #expect(Array(first.prefix(8)) == Array("-RF0100-".utf8))
        #expect(first != second)
    }
}

@Suite struct FloodTopologyTests {
    @Test func everyPeerHasAUniqueAddressAndPortWithTwoMillionPeersOn64Addresses() {
        let topology = FloodTopology(sockets: 64, addresses: 64, workers: 2, peers: 2_000_000)
        #expect(topology.portsAreUnique)
        var seen = Set<UInt32>()
        for peer in stride(from: 0, to: 2_000_000, by: 7) {
            let address = topology.address(ofSocket: topology.socket(ofPeer: peer))
            #expect(seen.insert(UInt32(address) << 16 | UInt32(topology.port(ofPeer: peer))).inserted)
        }
    }

    @Test func socketsPartitionThePeers() {
        let topology = FloodTopology(sockets: 8, addresses: 4, workers: 3, peers: 1_003)
        #expect((0..<8).map { topology.peerCount(onSocket: $0) }.reduce(0, +) == 1_003)
        for socket in 0..<8 {
            for index in 0..<topology.peerCount(onSocket: socket) {
                #expect(topology.socket(ofPeer: topology.peer(onSocket: socket, index: index)) == socket)
            }
        }
    }

    @Test func tooManyPeersForOneAddressAreReported() {
        #expect(!FloodTopology(sockets: 1, addresses: 1, workers: 1, peers: 70_000).portsAreUnique)
    }
}
