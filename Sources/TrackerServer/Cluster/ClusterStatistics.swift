import Synchronization
import TrackerCore

/// Cluster sync counters, shared by the sync threads (writers) and /stats, /metrics (readers).
/// The issue-9 `/stats?mode=syncs` page and the Prometheus page read them through this type only.
public final class ClusterStatistics: Sendable {
    public let packetsSent = Atomic<UInt64>(0)
    public let peersSent = Atomic<UInt64>(0)
    public let bytesSent = Atomic<UInt64>(0)
    public let sendFailures = Atomic<UInt64>(0)
    public let packetsReceived = Atomic<UInt64>(0)
    /// Peers applied from accepted packets (opentracker's `syncs` count).
    public let peersReceived = Atomic<UInt64>(0)
    public let bytesReceived = Atomic<UInt64>(0)
    /// Drops happen on the sync receive thread only, never on the announce path: a lock is fine.
    private let drops = Mutex<[UInt64]>(Array(repeating: 0, count: LivesyncDrop.allCases.count))
    /// Unix seconds of the last accepted packet per sending node ("address" text).
    private let lastPacket = Mutex<[String: UInt32]>([:])
    /// Queued changes lost because a worker's ring was full.
    public let queueOverflows = Atomic<UInt64>(0)

    public init() {}

    public func dropped(_ reason: LivesyncDrop) -> UInt64 { drops.withLock { $0[reason.rawValue] } }
    func countDrop(_ reason: LivesyncDrop) { drops.withLock { $0[reason.rawValue] &+= 1 } }

    /// At most 1,024 nodes are remembered: the allow list bounds senders, this bounds the map.
    func noteAccepted(from node: String, at now: UInt32) {
        lastPacket.withLock { map in
            if map[node] == nil, map.count >= 1024 { return }
            map[node] = now
        }
    }

    /// Seconds since each node's last accepted packet.
    public func lastPacketAges(now: UInt32) -> [(node: String, seconds: UInt32)] {
        lastPacket.withLock { map in map.map { ($0.key, now &- min($0.value, now)) } }.sorted { $0.node < $1.node }
    }
}
