@testable import TrackerCore
import Testing

@Suite("Random numbers and intervals")
struct RandomTests {
    @Test("SplitMix64 matches its reference output")
    func splitMixReference() {
        // First outputs for seed 1234567 from Vigna's splitmix64.c.
        var mixer = SplitMix64(seed: 1_234_567)
        #expect(mixer.next() == 6_457_827_717_110_365_317)
        #expect(mixer.next() == 3_203_168_211_198_807_973)
    }

    @Test("Xoshiro256 is deterministic per seed and differs across seeds")
    func xoshiroDeterminism() {
        var a = Xoshiro256(seed: 5)
        var b = Xoshiro256(seed: 5)
        var c = Xoshiro256(seed: 6)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        #expect(Set(first).count == 8)
    }

    @Test("Xoshiro256 spreads values over a range evenly")
    func xoshiroSpread() {
        var rng = Xoshiro256(seed: 11)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { buckets[Int.random(in: 0..<10, using: &rng)] += 1 }
        #expect(buckets.allSatisfy { (9_500...10_500).contains($0) })
    }

    @Test("next(below:) stays below its bound, reaches both ends, and spreads evenly")
    func boundedDraw() {
        var rng = Xoshiro256(seed: 12)
        #expect((0..<100).allSatisfy { _ in rng.next(below: 1) == 0 })
        var buckets = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { buckets[Int(rng.next(below: 7))] += 1 }
        #expect(buckets.allSatisfy { (9_500...10_500).contains($0) })
        // The largest bound: the high word of x × (2^64 − 1) is x − 1 (0 for x = 0).
        var twin = Xoshiro256(seed: 13)
        var other = Xoshiro256(seed: 13)
        #expect((0..<8).allSatisfy { _ in twin.next(below: .max) == max(other.next(), 1) - 1 })
        // A swarm-sized bound: every position is drawn (a window can start anywhere).
        var seen = Set<UInt64>()
        for _ in 0..<20_000 { seen.insert(rng.next(below: 1_000)) }
        #expect(seen.count == 1_000 && seen.max() == 999)
    }

    @Test("Announce intervals stay within 1800 ± 180 s and use the whole range")
    func intervalRange() {
        var rng = Xoshiro256(seed: 3)
        let policy = AnnounceIntervalPolicy()
        let values = (0..<10_000).map { _ in policy.interval(rng: &rng) }
        #expect(values.allSatisfy { (1620...1980).contains($0) })
        #expect(values.min() == 1620)
        #expect(values.max() == 1980)
    }

    @Test("Interval jitter is clamped so the interval never reaches zero")
    func intervalClamp() {
        var rng = Xoshiro256(seed: 3)
        let policy = AnnounceIntervalPolicy(base: 10, jitter: 500)
        #expect((0..<1000).allSatisfy { _ in (1...19).contains(policy.interval(rng: &rng)) })
        let fixed = AnnounceIntervalPolicy(configuration: TrackerConfiguration(announceInterval: 900, intervalJitter: 0))
        #expect(fixed.interval(rng: &rng) == 900)
    }
}
