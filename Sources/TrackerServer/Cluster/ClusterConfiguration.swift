import TrackerCore
import TrackerIO

/// Cluster sync, from `--livesync-listen`, `--cluster-*` and opentracker's `livesync.cluster.*`.
public struct ClusterConfiguration: Sendable {
    /// opentracker's group (ot_livesync.h LIVESYNC_MCASTGROUP) and port.
    public static let ipv4Group: UInt32 = 0xE000_1705  // 224.0.23.5
    public static let defaultPort: UInt16 = 9696
    /// ff02::7274:6c73 ("rtls"): link-local scope, like opentracker's TTL 1 for IPv4.
    public static let ipv6Group: (UInt64, UInt64) = (0xFF02_0000_0000_0000, 0x0000_0000_7274_6C73)

    public var port: UInt16 = ClusterConfiguration.defaultPort
    /// IPv4 address of the interface to join the IPv4 group on (`livesync.cluster.listen`).
    public var multicastIPv4Interface: UInt32?
    /// Interface name to join the IPv6 group on (`--cluster-multicast6`).
    public var multicastIPv6Interface: String?
    /// Unicast destinations (`--cluster-node`).
    public var nodes: [SocketAddress] = []
    /// Senders accepted (`--cluster-allow`, `livesync.cluster.node_ip`); empty accepts no one.
    public var allow: [CIDR] = []
    /// HMAC key bytes (`--cluster-key FILE`); nil requires `insecure`.
    public var key: [UInt8]?
    /// Accept and send packets without a MAC trailer (mixed clusters with opentracker nodes).
    public var insecure = false
    /// Seconds an entry may wait before its partly filled packet is sent.
    public var flushDelay: Double = ClusterConfiguration.defaultFlushDelay
    /// 1 s, where opentracker waits 15: a new peer reaches the other nodes before its client's
    /// next request could, and a quiet node still sends at most one packet a second.
    public static let defaultFlushDelay: Double = 1
    /// HTTP "HOST:PORT" of a node to fetch the state from at start (`--cluster-state-from`).
    public var stateFrom: String?

    public init() {}

    public var isEnabled: Bool { multicastIPv4Interface != nil || multicastIPv6Interface != nil || !nodes.isEmpty }
}
