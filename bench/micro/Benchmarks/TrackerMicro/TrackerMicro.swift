// Hot-path micro benchmarks: parse, announce into a populated store, scrape, and the whole UDP
// announce handler. The steady-state benchmarks assert zero mallocs (STYLE.md: "the hot loop
// never allocates; a benchmark with malloc counting proves it").
import Benchmark
import Glibc
import TrackerCore
import TrackerIO
import TrackerProtocol
import TrackerServer

/// 100k torrents with 200k peers drawn by aquatic's popularity law (as ringflood does), so the
/// store has the skewed shape of the load tests: a few big swarms and a long tail.
struct Population {
    static let torrents = 100_000
    static let peers = 200_000
    var hashes: [InfoHash] = []
    var peerTorrent: [Int] = []

    init() {
        var rng = Xoshiro256(seed: 1)
        hashes.reserveCapacity(Self.torrents)
        for _ in 0..<Self.torrents {
            var bytes = [UInt8](repeating: 0, count: 20)
            for i in 0..<20 { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
            hashes.append(InfoHash(bytes: bytes))
        }
        var cumulative = [Double](repeating: 0, count: Self.torrents)
        var total = 0.0
        let n = Double(Self.torrents)
        for i in 0..<Self.torrents {
            total += n / Double(Self.peers) + exp(6.5 - 500 * Double(i) / n)
            cumulative[i] = total
        }
        peerTorrent.reserveCapacity(Self.peers)
        for _ in 0..<Self.peers {
            let u = Double(rng.next() >> 11) * 0x1p-53 * total
            var low = 0, high = Self.torrents - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] > u { high = mid } else { low = mid + 1 }
            }
            peerTorrent.append(low)
        }
    }

    func endpoint(_ peer: Int) -> PeerEndpoint {
        .v4(IPv4Address(rawValue: 0x7F00_0001 + UInt32(peer % 64)), port: UInt16(peer / 64 + 1))
    }

    /// A store with every peer announced once (event started).
    func populatedStore(now: UInt32) -> TorrentStore {
        let store = TorrentStore(configuration: TrackerConfiguration(), hashSeed: 7)
        var rng = Xoshiro256(seed: 2)
        var out = [UInt8](repeating: 0, count: 2048)
        out.withUnsafeMutableBytes { raw in
            var span = raw.mutableBytes
            for peer in 0..<Self.peers {
                _ = store.announce(Announce(infoHash: hashes[peerTorrent[peer]], event: .started, isSeeder: peer % 4 != 0, numWant: 30),
                                   from: endpoint(peer), now: now, rng: &rng, peers: &span, at: 20)
            }
        }
        return store
    }
}

/// A 98-byte BEP 15 announce.
func announcePacket(cid: UInt64, hash: InfoHash, port: UInt16) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 98)
    bytes.withUnsafeMutableBytes { raw in
        var span = raw.mutableBytes
        let request = AnnounceRequest(
            connectionID: ConnectionID(rawValue: cid), transactionID: TransactionID(rawValue: 42), infoHash: hash,
            peerID: PeerID(bytes: Array("-RF0100-abcdefghijkl".utf8)), downloaded: 0, left: 0, uploaded: 0,
            event: .none, ipAddress: 0, key: 1, numWant: 30, port: port)
        _ = UDPRequestWriter.announce(request, into: &span)
    }
    return bytes
}

nonisolated(unsafe) let population = Population()
// Built once: the benchmark closures run once per sample, so a store built inside them would be
// rebuilt (200k inserts) for every sample.
let fixedNow: UInt32 = 1_800_000_000
nonisolated(unsafe) let fixedStore = population.populatedStore(now: fixedNow)
let handlerNow = WallClock.seconds()
nonisolated(unsafe) let handlerStore = population.populatedStore(now: handlerNow)
nonisolated(unsafe) var keyRNG = Xoshiro256(seed: 4)
nonisolated(unsafe) let handlerIDs = TrackerConnectionIDs(key: TrackerConnectionIDs.randomKey(using: &keyRNG))
nonisolated(unsafe) var handler = UDPRequestHandler(store: handlerStore, connectionIDs: handlerIDs,
                                                    intervals: AnnounceIntervalPolicy(), statistics: UDPStatistics(),
                                                    access: AccessPolicy(mode: .open), seed: 5)
nonisolated(unsafe) var announceRNG = Xoshiro256(seed: 3)

/// The harness itself makes 16 mallocs per sample of 1,000 operations: the parse benchmark, which
/// cannot allocate (it only reads a Span), shows exactly 16. One malloc per operation would add
/// 1,000, so a p100 of 16 proves the operations allocate nothing.
nonisolated(unsafe) let harnessMallocs = BenchmarkThresholds(absolute: [.p100: 16])

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .cpuTotal, .wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    Benchmark("UDP parse announce (98 B)") { benchmark in
        let packet = announcePacket(cid: 1, hash: population.hashes[0], port: 6881)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(UDPRequestParser.parse(packet.span))
        }
    }

    Benchmark("store re-announce, 100k torrents / 200k peers",
              configuration: .init(thresholds: [.mallocCountTotal: harnessMallocs])) { benchmark in
        let now = fixedNow
        let store = fixedStore
        var out = [UInt8](repeating: 0, count: 2048)
        var peer = 0
        out.withUnsafeMutableBytes { raw in
            var span = raw.mutableBytes
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                peer = peer &+ 7919
                if peer >= Population.peers { peer -= Population.peers }
                let announce = Announce(infoHash: population.hashes[population.peerTorrent[peer]], event: .none,
                                        isSeeder: peer % 4 != 0, numWant: 30)
                blackHole(store.announce(announce, from: population.endpoint(peer), now: now, rng: &announceRNG, peers: &span, at: 20))
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("store scrape, 10 hashes",
              configuration: .init(thresholds: [.mallocCountTotal: harnessMallocs])) { benchmark in
        let store = fixedStore
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for _ in 0..<10 {
                // A stride coprime to the torrent count visits every torrent; keep it in range.
                index = (index &+ 104_729) % Population.torrents
                blackHole(store.scrape(population.hashes[index]))
            }
        }
    }

    Benchmark("UDP handler announce (parse + connection ID + store + reply)",
              configuration: .init(thresholds: [.mallocCountTotal: harnessMallocs])) { benchmark in
        let now = handlerNow
        let ids = handlerIDs
        // 256 prepared announces from distinct existing peers, with valid connection IDs.
        var packets = [[UInt8]]()
        var sources = [sockaddr_in]()
        for k in 0..<256 {
            let peer = (k &* 7919) % Population.peers
            let endpoint = population.endpoint(peer)
            guard case .v4(let address) = endpoint.address else { continue }
            let cid = ids.make(for: endpoint.address, now: now)
            packets.append(announcePacket(cid: cid.rawValue, hash: population.hashes[population.peerTorrent[peer]], port: endpoint.port))
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = endpoint.port.bigEndian
            sin.sin_addr.s_addr = address.rawValue.bigEndian
            sources.append(sin)
        }
        var reply = [UInt8](repeating: 0, count: 1280)
        var k = 0
        reply.withUnsafeMutableBytes { out in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                k = (k + 1) & 255
                let length = packets[k].withUnsafeBytes { payload in
                    withUnsafeBytes(of: &sources[k]) { source in
                        handler.handleDatagram(payload, source: source.baseAddress!, reply: out)
                    }
                }
                blackHole(length)
            }
            benchmark.stopMeasurement()
        }
    }
}
