#if canImport(Glibc)
import Glibc
#endif

/// Draws torrent indexes with aquatic's exponential-head popularity law, the one flood2 uses
/// (docs/BENCHMARKS.md): weight(i) = N/P + exp(6.5 − 500·i/N) for torrent i of N, with P peers.
/// Torrent 0 is the most popular; with P = 2N about 43 % of torrents end up with peers.
struct PopularitySampler: Sendable {
    let torrents: Int
    /// cumulative[i] = sum of weights 0...i, normalised so the last entry is 1.
    let cumulative: [Double]

    init(torrents: Int, peers: Int) {
        precondition(torrents > 0 && peers > 0)
        self.torrents = torrents
        let n = Double(torrents)
        let base = n / Double(peers)
        var sums = [Double](repeating: 0, count: torrents)
        var total = 0.0
        for i in 0..<torrents {
            total += Self.weight(i, torrents: torrents, base: base, n: n)
            sums[i] = total
        }
        for i in 0..<torrents { sums[i] /= total }
        cumulative = sums
    }

    static func weight(_ i: Int, torrents: Int, base: Double, n: Double) -> Double {
        base + exp(6.5 - 500.0 * Double(i) / n)
    }

    /// The torrent for a uniform `u` in [0, 1): the first index whose cumulative weight exceeds u.
    func torrent(forUnit u: Double) -> Int {
        var low = 0
        var high = torrents - 1
        while low < high {
            let middle = (low + high) >> 1
            if cumulative[middle] > u { high = middle } else { low = middle + 1 }
        }
        return low
    }

    func sample(using random: inout FloodRandom) -> Int {
        torrent(forUnit: random.nextUnit())
    }
}
