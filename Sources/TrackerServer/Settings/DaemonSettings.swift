import TrackerCore

/// Every daemon option with its default, built from defaults, then `--config FILE`, then
/// command-line flags (later sources override earlier ones). `ringtracker` turns it into a
/// `ServerConfiguration`; `--check-config` prints `effectiveDescription()`.
///
/// Each option has one name, `SettingKey`, used for the `ringtracker.<name>` config key and the
/// `--<name>` flag. opentracker.conf directives map onto the same keys (see `ConfigurationFile`).
public struct DaemonSettings: Sendable, Equatable {
    /// Listened on when no listener is named: every IPv4 and IPv6 address, BEP 15's customary port.
    public static let defaultUDPListeners = ["0.0.0.0:6969", "[::]:6969"]
    /// The same addresses over TCP, for the HTTP tracker (opentracker's `listen.tcp_udp` default).
    public static let defaultHTTPListeners = ["0.0.0.0:6969", "[::]:6969"]
    public static let ioBackends = ["auto", "io_uring", "mmsg"]
    /// swift-log's `Logger.Level` raw values.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    /// `LogFormat` raw values: auto = journal when stderr is journald's stream, else text.
    public static let logFormats = ["auto", "text", "journal", "json"]

    /// Normalised "HOST:PORT" / "[V6]:PORT". The defaults until a listener is named.
    public var udpListeners = DaemonSettings.defaultUDPListeners
    /// True once any UDP listener was named (file or flag): named listeners must all bind, while the
    /// defaults tolerate a host without IPv6.
    public var udpListenersNamed = false
    public var httpListeners = DaemonSettings.defaultHTTPListeners
    public var httpListenersNamed = false
    /// CPU list text, "0" | "0,2" | "0-3"; nil = all online CPUs.
    public var cpus: String?
    public var pin = true
    /// "auto" (probe io_uring, fall back to mmsg), "io_uring" or "mmsg".
    public var ioBackend = "auto"
    /// opentracker `listen.udp.workers`: how many UDP workers to run, placed round-robin on `cpus`
    /// (more workers than CPUs share them); nil (0 in a file or flag) = one per CPU.
    public var udpWorkers: Int?
    /// Seconds; clients are told this ±10 %. opentracker's OT_CLIENT_REQUEST_INTERVAL is 30 min.
    public var interval: UInt32 = TrackerDefaults.announceInterval
    /// Seconds without an announce before a peer is forgotten; opentracker's OT_PEER_TIMEOUT is 45 min.
    public var peerTimeout: UInt32 = TrackerDefaults.peerTimeout
    public var logLevel = "info"
    public var logFormat = "auto"
    /// At most one of the two (an error otherwise).
    public var whitelist: String?
    public var blacklist: String?
    /// Started as root: drop to this user after binding. Unset and root: a warning once.
    public var user: String?
    /// opentracker's `tracker.rootdir` (`--chroot`, `--rootdir`, `-d`): started as root, chroot
    /// here before dropping privileges; otherwise only chdir here. File paths are opened after
    /// that step (see `RootDirectory`). A relative directory is relative to the start directory.
    public var chroot: String?
    /// `GET /` answers 302 with this Location; nil = 404.
    public var redirectURL: String?
    /// Who may read `/stats` and `/metrics` (unless `metricsPublic`). Loopback by default, where
    /// opentracker allows no one; the first `access.stats` / `stats-allow` replaces the default.
    public var statsAllow: [CIDR] = [.ipv4Loopback, .ipv6Loopback]
    public var statsAllowNamed = false
    /// The stats path without its leading "/", matched exactly (opentracker `access.stats_path`).
    public var statsPath = HTTPConfiguration.defaultStatsPath
    /// HTTP peers whose X-Forwarded-For is believed.
    public var trustedProxies: [CIDR] = []
    /// Where torrent `downloaded` counters (and peers) are snapshotted and restored; nil = none.
    public var stateFile: String?
    /// Seconds between snapshots to `stateFile`.
    public var snapshotInterval: UInt32 = ServerConfiguration.defaultSnapshotInterval
    /// `StoreLimits`: 0 = no limit. `maxMemoryMiB` nil = half of physical memory.
    public var maxTorrents: UInt32 = UInt32(StoreLimits().maxTorrents)
    public var maxPeersPerTorrent: UInt32 = UInt32(StoreLimits().maxPeersPerTorrent)
    public var maxNewTorrentsPerMinute: UInt32 = UInt32(StoreLimits().newTorrentsPerMinute)
    public var maxMemoryMiB: UInt32?
    /// Seconds between two full scrapes from one client address (later ones get 429); 0 turns
    /// full scrape off (404). Full scrapes are always live: a walk of every shard, which is what
    /// the limit protects.
    public var fullScrapeInterval: UInt32 = HTTPConfiguration.defaultFullScrapeInterval
    /// Serve `/metrics` to everyone instead of only `statsAllow`.
    public var metricsPublic = false
    /// opentracker live sync: the IPv4 interface address to join 224.0.23.5 on, and the networks
    /// whose sync packets are accepted (`livesync.cluster.node_ip`, `--cluster-allow`).
    public var livesyncListen: String?
    public var livesyncNodes: [CIDR] = []
    /// Unicast sync destinations, "HOST:PORT" / "[V6]:PORT".
    public var clusterNodes: [String] = []
    /// File holding the cluster HMAC key (≥ 16 bytes).
    public var clusterKey: String?
    /// Accept and send sync packets without a MAC (mixed clusters with opentracker nodes).
    public var clusterInsecure = false
    /// Seconds a change waits at most before its partly filled packet is sent (opentracker: 15).
    public var clusterFlushDelay: Double = ClusterConfiguration.defaultFlushDelay
    /// Interface name to join the IPv6 sync group ff02::7274:6c73 on.
    public var clusterMulticast6: String?
    /// HTTP "HOST:PORT" of a node to fetch swarms from at start.
    public var clusterStateFrom: String?
    /// File holding the 16-byte connection-ID key shared by cluster nodes.
    public var connectionIDKey: String?
    /// opentracker statedump (`-l FILE`, `HEX40:base_minutes:downloaded` lines) loaded at start.
    public var importStatedump: String?
    /// opentracker 1.0's dynamic access lists: FIFOs whose lines (a 40-hex info hash each) add to
    /// or remove from the whitelist or blacklist until the next reload.
    public var fifoAdd: String?
    public var fifoDelete: String?
    /// Percent of each announce reply made of decoy peers (0 = off, at most 50), drawn only from
    /// `decoyRanges` (`DecoyPolicy`).
    public var decoyPeers: UInt32 = 0
    public var decoyRanges: [CIDR] = []

    public init() {}

    public var accessMode: AccessMode {
        if whitelist != nil { return .whitelist }
        if blacklist != nil { return .blacklist }
        return .open
    }

    /// The access-list file for `accessMode`, nil when open.
    public var accessListPath: String? { whitelist ?? blacklist }

    /// Whether cluster sync sends anywhere.
    public var livesyncConfigured: Bool { livesyncListen != nil || clusterMulticast6 != nil || !clusterNodes.isEmpty }

    /// Cross-option checks, run once every source has been applied.
    public func validate() throws(SettingError) {
        if whitelist != nil && blacklist != nil {
            throw SettingError("a whitelist and a blacklist were both given; choose one")
        }
        if (fifoAdd != nil || fifoDelete != nil) && accessMode == .open {
            throw SettingError("fifo-add and fifo-delete change an access list: name a whitelist or a blacklist")
        }
        if let fifoAdd, fifoAdd == fifoDelete {
            throw SettingError("fifo-add and fifo-delete must be two different FIFOs")
        }
        if decoyPeers > 0 && decoyRanges.isEmpty {
            throw SettingError("decoy-peers needs at least one decoy-range: decoys come only from networks you name")
        }
        if decoyPeers == 0 && !decoyRanges.isEmpty {
            throw SettingError("decoy-range is set but decoy-peers is 0: set the share of decoys, or drop the range")
        }
        if peerTimeout <= interval + interval / 10 {
            throw SettingError(
                "peer-timeout \(peerTimeout) must exceed interval \(interval) plus its 10 % jitter, or peers expire before they re-announce")
        }
        if livesyncConfigured && clusterKey == nil && !clusterInsecure {
            throw SettingError("cluster sync needs --cluster-key FILE, or --cluster-insecure to run unauthenticated")
        }
    }
}

/// A bad option value, without its location ("peer-timeout: 'x' is not a number").
/// `ConfigurationFile` adds "FILE:LINE: "; the command line adds the flag.
public struct SettingError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
