// Deterministic randomness for the load generator. Everything ringflood sends is a pure function of
// `--seed`: info hashes, each peer's torrent, seeder flag and peer ID, and the request stream of
// every worker (seeded from --seed and the worker index).

/// SplitMix64 (Steele, Lea, Flood 2014): one 64-bit add and a finaliser; good enough to drive a
/// traffic model and cheap enough to call per request.
struct FloodRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: a stateless hash of one word, used to derive per-item values
    /// (info hash i, peer p) without storing them.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value derived from (seed, stream, index): independent streams for hashes, peers, workers.
    static func derive(seed: UInt64, stream: UInt64, index: UInt64) -> UInt64 {
        mix(mix(seed &+ stream &* 0xD6E8_FEB8_6659_FD93) ^ index)
    }

    /// Uniform in [0, 1) with 53 bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in 0..<bound without modulo bias worth caring about (Lemire's multiply-shift).
    mutating func nextBelow(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
