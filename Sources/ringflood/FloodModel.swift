import TrackerProtocol

/// Where each simulated peer lives: which socket sends its announces, which source address that
/// socket has, and the port it announces. Socket s is bound to source address s mod k, and
/// peer p uses socket p mod S. Because k divides S, the peers of address a are exactly those with
/// p mod k == a, so port = p / k + 1 is unique per address and the tracker (which keys a peer on
/// source address + announced port) sees P distinct peers while P ≤ 65,535 × k.
struct FloodTopology: Sendable, Equatable {
    let sockets: Int
    let addresses: Int
    let workers: Int
    let peers: Int

    init(sockets: Int, addresses: Int, workers: Int, peers: Int) {
        precondition(sockets > 0 && addresses > 0 && workers > 0 && peers > 0)
        precondition(sockets % addresses == 0, "addresses must divide sockets")
        self.sockets = sockets
        self.addresses = addresses
        self.workers = workers
        self.peers = peers
    }

    /// True when every peer gets its own (address, port); false means ports wrap and peers merge.
    var portsAreUnique: Bool { (peers + addresses - 1) / addresses <= 65_535 }

    func socket(ofPeer peer: Int) -> Int { peer % sockets }
    func address(ofSocket socket: Int) -> Int { socket % addresses }
    func worker(ofSocket socket: Int) -> Int { socket % workers }
    func port(ofPeer peer: Int) -> UInt16 { UInt16((peer / addresses) % 65_535 + 1) }
    func peerCount(onSocket socket: Int) -> Int { peers > socket ? (peers - socket - 1) / sockets + 1 : 0 }
    func peer(onSocket socket: Int, index: Int) -> Int { socket + sockets * index }
}

/// The swarm ringflood simulates: N torrents with deterministic info hashes, P peers each bound to
/// one torrent drawn once from the popularity law, with a seeder flag and a peer ID. Immutable
/// after start-up and shared read-only by the workers.
final class FloodModel: Sendable {
    let seed: UInt64
    let torrents: Int
    let peers: Int
    let seederProbability: Double
    let sampler: PopularitySampler
    /// peerTorrent[p]: the torrent peer p announces.
    let peerTorrent: [UInt32]
    /// 20 bytes per torrent, torrent i at 20·i: the info hashes in wire order.
    let hashBytes: [UInt8]

    /// `sequential`: peer p announces torrent p mod N (every torrent gets P/N peers, for memory
    /// measurements, flood2's `-D seq`); otherwise the popularity law (`-D exp`).
    init(seed: UInt64, torrents: Int, peers: Int, seederProbability: Double, sequential: Bool = false) {
        self.seed = seed
        self.torrents = torrents
        self.peers = peers
        self.seederProbability = seederProbability
        let sampler = PopularitySampler(torrents: torrents, peers: peers)
        self.sampler = sampler
        var random = FloodRandom(seed: FloodRandom.derive(seed: seed, stream: 3, index: 0))
        var assignment = [UInt32](repeating: 0, count: peers)
        for p in 0..<peers {
            assignment[p] = sequential ? UInt32(p % torrents) : UInt32(sampler.sample(using: &random))
        }
        peerTorrent = assignment
        hashBytes = Self.makeHashes(seed: seed, torrents: torrents)
    }

    static func makeHashes(seed: UInt64, torrents: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: torrents * 20)
        for i in 0..<torrents {
            for word in 0..<3 {
                let value = FloodRandom.derive(seed: seed, stream: 1, index: UInt64(i) &* 3 &+ UInt64(word))
                for b in 0..<8 where word * 8 + b < 20 {
                    bytes[i * 20 + word * 8 + b] = UInt8(truncatingIfNeeded: value >> (56 - 8 * b))
                }
            }
        }
        return bytes
    }

    func infoHash(_ torrent: Int) -> InfoHash {
        let bytes = hashBytes   // a retained reference to the shared storage, not a copy
        return InfoHash(bytes.span, at: torrent * 20)
    }

    /// Whether peer p starts as a seeder (left = 0): a fixed draw with `seederProbability`.
    func startsAsSeeder(_ peer: Int) -> Bool {
        var random = FloodRandom(seed: FloodRandom.derive(seed: seed, stream: 2, index: UInt64(peer)))
        return random.nextUnit() < seederProbability
    }

    /// Azureus-style peer ID "-RF0100-" followed by 12 bytes derived from (seed, peer).
    func writePeerID(_ peer: Int, into bytes: inout [UInt8]) {
        var prefix: UInt64 = 0x2D52_4630_3130_302D   // "-RF0100-"
        for i in 0..<8 {
            bytes[7 - i] = UInt8(truncatingIfNeeded: prefix)
            prefix >>= 8
        }
        let a = FloodRandom.derive(seed: seed, stream: 4, index: UInt64(peer))
        let b = FloodRandom.derive(seed: seed, stream: 5, index: UInt64(peer))
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: a >> (8 * i)) }
        for i in 0..<4 { bytes[16 + i] = UInt8(truncatingIfNeeded: b >> (8 * i)) }
    }
}

extension FloodModel {
    /// The whitelist text without building the peer model (for --write-whitelist).
    static func whitelist(seed: UInt64, torrents: Int) -> String {
        let bytes = makeHashes(seed: seed, torrents: torrents)
        var out = [UInt8]()
        out.reserveCapacity(torrents * 41)
        for start in stride(from: 0, to: bytes.count, by: 20) {
            HexDigits.append(bytes[start..<min(start + 20, bytes.count)], to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
