import TrackerIO

/// Everything a worker needs to know about the run, fixed before the workers start.
struct FloodSettings: Sendable {
    var target: SocketAddress
    /// One per source address, port 0; socket s binds sources[s mod k].
    var sources: [SocketAddress]
    var topology: FloodTopology
    var ipv6: Bool
    var seed: UInt64
    /// Outstanding requests over all workers (closed loop), or the most in flight (open loop).
    var window: Int
    /// Offered requests per second over all workers in the measured phase; nil = closed loop.
    var rate: Double?
    /// Open loop: the window of the full-speed warm-up.
    var warmupWindow: Int
    var numWant: Int32
    var announceWeight: Int
    var scrapeWeight: Int
    var connectWeight: Int
    var scrapeMaxHashes: Int
    /// Probability that a leecher's re-announce is `completed` (it becomes a seeder).
    var completedProbability: Double
    /// Probability that a re-announce is `stopped`; the peer's next announce is `started` again.
    var stoppedProbability: Double
    var reconnectNanoseconds: UInt64
    var timeoutNanoseconds: UInt64
    /// Most requests per sendmmsg / replies per recvmmsg.
    var batch: Int
    /// CPU for each worker (worker w → cpus[w mod count]); empty = not pinned.
    var cpus: [Int]
    /// Peers are already in the tracker: they start announced and re-announce at random.
    var resume: Bool
}
