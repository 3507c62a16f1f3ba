import TrackerCore

/// How the HTTP front listens and what it allows. Built by `ringtracker` from flags and config.
public struct HTTPConfiguration: Sendable {
    /// "HOST:PORT" or "[V6HOST]:PORT"; port 0 binds an ephemeral port (tests).
    public var listeners: [String]
    /// Where `GET /` is redirected (302); nil answers 404, as opentracker without `tracker.redirect_url`.
    public var redirectURL: String?
    /// opentracker's `access.stats_path`, default `stats` (leading `/` optional).
    public var statsPath: String
    /// opentracker's default `access.stats_path`.
    public static let defaultStatsPath = "stats"
    /// 60 s per client network: a scraper polling every few seconds cannot make the tracker walk
    /// every shard each time, and the view stays far fresher than the 30-minute announce interval.
    public static let defaultFullScrapeInterval: UInt32 = 60
    /// One full scrape per client address per this many seconds (else 429); 0 turns full scrape off.
    public var fullScrapeInterval: UInt32
    /// Serve `/metrics` to everyone instead of only to `statsAllowed` addresses.
    public var metricsPublic: Bool
    /// Request line plus headers, opentracker's 8 KiB `G_INBUF_SIZE`; larger heads get 431.
    public var maxHeadBytes: Int
    /// Seconds without a read or write before a connection is closed (opentracker's 30 s).
    public var idleTimeout: UInt32
    /// Open TCP connections above this are closed as soon as they are accepted.
    public var maxConnections: Int
    /// Open connections per client network (IPv4 /32, IPv6 /64) above this are closed as soon as
    /// they are accepted, so one address cannot fill `maxConnections`; trusted proxies are exempt;
    /// 0 = no per-address limit.
    public var maxConnectionsPerAddress: Int
    /// Seconds from the first byte of a request head to its end: a client trickling a head (one
    /// byte every few seconds resets the idle timer) is closed after this.
    public var headTimeout: UInt32
    /// One event loop per CPU, each pinned to it (the UDP workers' CPU set by default).
    public var eventLoopCPUs: [Int]
    /// Pin each event loop thread to its CPU (off in tests on shared machines).
    public var pinEventLoops: Bool
    /// Who may read `/stats`, `/metrics` (unless public) and full-scrape without the rate limit.
    public var statsAllowed: @Sendable (PeerAddress) -> Bool
    /// Proxies whose `X-Forwarded-For` and announce `ip=` are believed.
    public var trustedProxy: @Sendable (PeerAddress) -> Bool
    /// BEP 3 `interval`, seconds, and its ± jitter (opentracker: 1800 − 180 … 1800 + 179).
    public var announceInterval: UInt32
    public var announceJitter: UInt32
    /// Who may fetch `/cluster-state` and the key its requests and answers are signed with; nil
    /// without a cluster (the path is then 404).
    public var clusterState: ClusterStateAccess?

    public init(
        listeners: [String] = ["0.0.0.0:6969"],
        redirectURL: String? = nil,
        statsPath: String = HTTPConfiguration.defaultStatsPath,
        fullScrapeInterval: UInt32 = HTTPConfiguration.defaultFullScrapeInterval,
        metricsPublic: Bool = false,
        maxHeadBytes: Int = 8192,
        idleTimeout: UInt32 = 30,
        maxConnections: Int = 4096,
        maxConnectionsPerAddress: Int = 32,
        headTimeout: UInt32 = 10,
        eventLoopCPUs: [Int] = [0],
        pinEventLoops: Bool = true,
        statsAllowed: @escaping @Sendable (PeerAddress) -> Bool = HTTPConfiguration.isLoopback,
        trustedProxy: @escaping @Sendable (PeerAddress) -> Bool = { _ in false },
        announceInterval: UInt32 = TrackerDefaults.announceInterval,
        announceJitter: UInt32 = TrackerDefaults.intervalJitter
    ) {
        self.listeners = listeners
        self.redirectURL = redirectURL
        self.statsPath = statsPath
        self.fullScrapeInterval = fullScrapeInterval
        self.metricsPublic = metricsPublic
        self.maxHeadBytes = maxHeadBytes
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.headTimeout = headTimeout
        self.eventLoopCPUs = eventLoopCPUs
        self.pinEventLoops = pinEventLoops
        self.statsAllowed = statsAllowed
        self.trustedProxy = trustedProxy
        self.announceInterval = announceInterval
        self.announceJitter = announceJitter
    }

    /// 127.0.0.0/8 and ::1: the default audience of /stats, as an operator on the box.
    @Sendable public static func isLoopback(_ address: PeerAddress) -> Bool {
        switch address {
        case .v4(let v4): v4.rawValue >> 24 == 127
        case .v6(let v6): v6.high == 0 && v6.low == 1
        }
    }
}

extension HTTPConfiguration {
    /// A `statsAllowed` / `trustedProxy` predicate from configured networks
    /// (`DaemonSettings.statsAllow`, `.trustedProxies`).
    public static func addresses(in networks: [CIDR]) -> @Sendable (PeerAddress) -> Bool {
        { address in
            switch address {
            case .v4(let v4): networks.contains { $0.contains(ipv4: v4.rawValue) }
            case .v6(let v6): networks.contains { $0.contains(ipv6High: v6.high, low: v6.low) }
            }
        }
    }
}
