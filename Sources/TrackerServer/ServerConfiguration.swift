import TrackerCore
import TrackerIO
import TrackerProtocol

/// How the daemon was asked to run: built from `DaemonSettings` (defaults < config file < flags).
public struct ServerConfiguration: Sendable {
    public enum BackendChoice: String, Sendable, CaseIterable {
        case auto
        case ioUring = "io_uring"
        case mmsg
    }

    /// Listened on when no listener is named: every IPv4 and IPv6 address, BEP 15's customary port.
    public static let defaultUDPListeners = DaemonSettings.defaultUDPListeners

    public var udpListeners: [String]
    /// Default listeners tolerate a host without IPv6; named ones must all bind.
    public var listenersAreDefaults: Bool
    public var cpus: [Int]
    public var pinWorkers: Bool
    public var backend: BackendChoice
    public var tracker: TrackerConfiguration
    /// Requested SO_RCVBUF per socket (default `UDPSocket.defaultReceiveBuffer`, which says why).
    public var receiveBufferBytes: Int
    public var engine: WorkerEngineConfiguration
    /// Open, whitelist or blacklist, and the file the list is read from (reloaded on SIGHUP and
    /// when the file is replaced).
    public var accessMode: AccessMode = .open
    public var accessListPath: String?
    /// Started as root: drop to this user (after an optional chroot) once every socket is bound.
    public var user: String?
    /// `tracker.rootdir` when started as root (chroot there before the drop).
    public var chroot: String?
    /// `tracker.rootdir` when not started as root: opentracker only chdirs there, and so do we.
    public var workingDirectory: String?
    /// opentracker statedump (`HEX40:base_minutes:downloaded` lines) loaded at start (`-l`).
    public var importStatedump: String?
    /// opentracker 1.0 dynamic access-list FIFOs (absolute, as seen after the chroot).
    public var fifoAdd: String?
    public var fifoDelete: String?
    /// Snapshot the store here at exit and every `snapshotInterval` seconds; load it at start.
    public var stateFile: String?
    public var snapshotInterval: UInt32 = ServerConfiguration.defaultSnapshotInterval
    /// 5 min: a crash loses at most five minutes of swarm changes, and writing a 1M-torrent
    /// snapshot every five minutes costs well under 1 % of one core.
    public static let defaultSnapshotInterval: UInt32 = 300
    /// The connection-ID MAC key; nil draws one from getrandom at start. Nodes that share a key
    /// accept each other's connection IDs.
    public var connectionIDKey: (UInt64, UInt64)?
    /// The HTTP front's settings; it runs when `http.listeners` is not empty. Its event loops,
    /// interval and access list follow this configuration's (set in `TrackerService.start`).
    public var http: HTTPConfiguration
    /// Cluster live sync; runs when `cluster.isEnabled`.
    public var cluster = ClusterConfiguration()

    public init(
        udpListeners: [String]? = nil, cpus: [Int]? = nil, pinWorkers: Bool = true,
        backend: BackendChoice = .auto, tracker: TrackerConfiguration = TrackerConfiguration(),
        receiveBufferBytes: Int = UDPSocket.defaultReceiveBuffer
    ) {
        self.udpListeners = udpListeners ?? Self.defaultUDPListeners
        self.listenersAreDefaults = udpListeners == nil
        self.cpus = cpus ?? CPUSet.online()
        self.pinWorkers = pinWorkers
        self.backend = backend
        self.tracker = tracker
        self.receiveBufferBytes = receiveBufferBytes
        self.engine = WorkerEngineConfiguration(backend: .mmsg, bufferSize: UDPLimits.maxRequestSize)
        self.http = HTTPConfiguration(listeners: [])
    }
}
