/// xoshiro256** (Blackman & Vigna 2018): a fast per-worker generator for peer sampling and interval
/// jitter. Not cryptographic; connection-ID keys come from the system generator.
/// `next` and its state are inlinable, so the handler in TrackerServer draws the interval jitter
/// inline: with the state private, cross-module optimisation left `interval` a call.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
        // SplitMix64 never yields four zero words, but the all-zero state would be a fixed point.
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// A draw in `0..<bound` (bound > 0) by one multiply, without the rejection loop of
    /// `random(in:using:)`: the high word of `next() × bound`. A value is at most `bound / 2^64`
    /// likelier than another (2^-54 for a swarm of 1,024 peers), far below anything a peer sample
    /// or an interval jitter could show, and it inlines where the generic draw was a call.
    @inlinable @inline(__always)
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "Xoshiro256.next(below:) needs a positive bound")
        return bound.multipliedFullWidth(by: next()).high
    }

    @inlinable @inline(__always)
    func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
