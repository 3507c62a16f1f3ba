/// The `interval` sent to clients: a base with uniform jitter so clients that started together
/// (after a restart, a popular release) drift apart instead of announcing in waves.
public struct AnnounceIntervalPolicy: Sendable {
    public let base: UInt32
    /// Clamped below `base` and to the room above it, so the interval never reaches zero or wraps.
    public let jitter: UInt32

    public init(base: UInt32 = TrackerDefaults.announceInterval, jitter: UInt32 = TrackerDefaults.intervalJitter) {
        self.base = max(base, 1)
        self.jitter = min(jitter, max(base, 1) - 1, UInt32.max - max(base, 1))
    }

    public init(configuration: TrackerConfiguration) {
        self.init(base: configuration.announceInterval, jitter: configuration.intervalJitter)
    }

    /// Uniform in `base - jitter ... base + jitter`. Inlinable: one draw per announce, in TrackerServer.
    @inlinable @inline(__always)
    public func interval(rng: inout Xoshiro256) -> UInt32 {
        guard jitter > 0 else { return base }
        // 2 × jitter + 1 fits: jitter ≤ (UInt32.max − 1) / 2 by the clamp above.
        return base - jitter + UInt32(truncatingIfNeeded: rng.next(below: UInt64(2 * jitter) + 1))
    }
}
