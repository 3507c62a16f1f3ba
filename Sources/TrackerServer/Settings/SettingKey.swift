/// Every daemon option by its one name: `ringtracker.<rawValue>` in a config file and
/// `--<rawValue>` on the command line.
public enum SettingKey: String, Sendable, CaseIterable {
    case udp                                     // repeatable
    case http                                    // repeatable
    case cpus
    case pin                                     // bool; the flag is --no-pin
    case ioBackend = "io-backend"
    case udpWorkers = "udp-workers"
    case interval
    case peerTimeout = "peer-timeout"
    case logLevel = "log-level"
    case logFormat = "log-format"
    case whitelist
    case blacklist
    case user
    case chroot
    case redirectURL = "redirect-url"
    case statsAllow = "stats-allow"              // repeatable
    case statsPath = "stats-path"
    case trustedProxy = "trusted-proxy"          // repeatable
    case stateFile = "state-file"
    case snapshotInterval = "snapshot-interval"
    case maxTorrents = "max-torrents"
    case maxPeersPerTorrent = "max-peers-per-torrent"
    case maxNewTorrentsPerMinute = "max-new-torrents-per-minute"
    case maxMemory = "max-memory"                // MiB; "auto" = half of physical memory
    case fullScrapeInterval = "full-scrape-interval"
    case metricsPublic = "metrics-public"        // bool
    case livesyncListen = "livesync-listen"
    case livesyncNode = "livesync-node"          // repeatable
    case clusterNode = "cluster-node"            // repeatable, HOST:PORT to send sync packets to
    case clusterAllow = "cluster-allow"          // repeatable; the same list as livesync-node
    case clusterKey = "cluster-key"
    case clusterInsecure = "cluster-insecure"    // bool
    case clusterFlushDelay = "cluster-flush-delay"
    case clusterMulticast6 = "cluster-multicast6"
    case clusterStateFrom = "cluster-state-from"
    case connectionIDKey = "connection-id-key"
    case importStatedump = "import-statedump"
    case fifoAdd = "fifo-add"
    case fifoDelete = "fifo-delete"
    case decoyPeers = "decoy-peers"
    case decoyRange = "decoy-range"              // repeatable

    /// Keys that add an entry each time they appear instead of replacing the value.
    public var isRepeatable: Bool {
        switch self {
        case .udp, .http, .statsAllow, .trustedProxy, .livesyncNode, .clusterNode, .clusterAllow, .decoyRange: true
        default: false
        }
    }

    public var configKey: String { "ringtracker.\(rawValue)" }
}
