import TrackerIO

/// What `/stats` and `/metrics` read from outside the HTTP front: the UDP workers' published
/// counters (plain loads of relaxed atomics) and the process start time for uptime lines.
///
/// `TrackerService.start` builds it over its UDP workers' statistics.
public struct TrackerStatisticsSource: Sendable {
    public var udpWorkers: @Sendable () -> [UDPStatistics]
    /// The UDP workers' engine counters (datagrams, send failures, buffer-ring exhaustion), by worker.
    public var udpEngines: @Sendable () -> [EngineCounters] = { [] }
    /// Unix seconds when the tracker started.
    public var startedAt: UInt32
    /// Cluster sync counters; nil without a cluster (`/stats?mode=syncs` then reports zeros).
    public var cluster: ClusterStatistics?
    /// opentracker's `tracker_id` (`<stats><tracker_id>`): a random 32-bit number drawn at start.
    public var trackerID: UInt32

    public init(
        udpWorkers: @escaping @Sendable () -> [UDPStatistics] = { [] }, startedAt: UInt32 = WallClock.seconds(),
        trackerID: UInt32 = UInt32.random(in: .min ... .max)
    ) {
        self.udpWorkers = udpWorkers
        self.startedAt = startedAt
        self.trackerID = trackerID
    }
}
