import TrackerCore
import TrackerIO

extension ServerConfiguration {
    /// The running configuration for validated daemon settings (defaults < file < flags).
    /// `asRoot` and `startDirectory` decide what `tracker.rootdir` means and where relative file
    /// paths point (`RootDirectory`); they are the process's own unless a test injects them.
    public init(
        settings: DaemonSettings, asRoot: Bool = Privileges.isRoot, startDirectory: String = RootDirectory.currentDirectory()
    ) throws(StartupError) {
        var cpus: [Int]
        if let list = settings.cpus {
            do { cpus = try CPUSet.parse(list) } catch { throw StartupError("cpus \(list): \(error)") }
        } else {
            cpus = CPUSet.online()
        }
        guard !cpus.isEmpty else { throw StartupError("no CPUs to run workers on") }
        // opentracker's listen.udp.workers: that many workers, placed round-robin on the CPU set.
        if let workers = settings.udpWorkers {
            cpus = (0..<workers).map { cpus[$0 % cpus.count] }
        }
        guard let backend = BackendChoice(rawValue: settings.ioBackend) else {
            throw StartupError("io-backend \(settings.ioBackend): not one of auto, io_uring, mmsg")
        }
        var tracker = TrackerConfiguration()
        tracker.announceInterval = settings.interval
        tracker.intervalJitter = settings.interval / 10
        tracker.peerTimeout = settings.peerTimeout
        tracker.decoys = settings.decoyPolicy
        tracker.limits = StoreLimits(
            maxTorrents: Int(settings.maxTorrents), maxPeersPerTorrent: Int(settings.maxPeersPerTorrent),
            newTorrentsPerMinute: Int(settings.maxNewTorrentsPerMinute),
            maxMemoryBytes: settings.maxMemoryMiB.map { Int($0) << 20 } ?? Self.physicalMemory() / 2)
        // Any named listener, UDP or HTTP, replaces all defaults: only the named ones open.
        let named = settings.udpListenersNamed || settings.httpListenersNamed
        self.init(
            udpListeners: named ? (settings.udpListenersNamed ? settings.udpListeners : []) : nil, cpus: cpus,
            pinWorkers: settings.pin, backend: backend, tracker: tracker)
        http = HTTPConfiguration(
            listeners: named ? (settings.httpListenersNamed ? settings.httpListeners : []) : settings.httpListeners,
            redirectURL: settings.redirectURL, statsPath: settings.statsPath,
            fullScrapeInterval: settings.fullScrapeInterval, metricsPublic: settings.metricsPublic,
            statsAllowed: HTTPConfiguration.addresses(in: settings.statsAllow),
            trustedProxy: HTTPConfiguration.addresses(in: settings.trustedProxies))
        let root = RootDirectory(settings.chroot, asRoot: asRoot, startDirectory: startDirectory)
        if root.chroot != nil && settings.user == nil {
            // opentracker drops to "nobody" here; a root process inside a chroot can leave it.
            throw StartupError("rootdir \(settings.chroot ?? ""): started as root, a chroot needs --user (tracker.user) to drop to")
        }
        accessMode = settings.accessMode
        accessListPath = settings.accessListPath.map(root.pathAfterDrop)
        user = settings.user
        chroot = root.chroot
        workingDirectory = root.workingDirectory
        stateFile = settings.stateFile.map(root.pathAfterDrop)
        importStatedump = settings.importStatedump.map(root.pathAfterDrop)
        fifoAdd = settings.fifoAdd.map(root.pathAfterDrop)
        fifoDelete = settings.fifoDelete.map(root.pathAfterDrop)
        snapshotInterval = settings.snapshotInterval
        connectionIDKey = try settings.connectionIDKey.map { path throws(StartupError) in try KeyFile.connectionIDKey(path) }
        cluster = try ClusterConfiguration(settings: settings)
    }
}

extension DaemonSettings {
    /// `decoy-peers` and `decoy-range` as the store's policy.
    var decoyPolicy: DecoyPolicy {
        var ipv4: [DecoyPolicy.IPv4Range] = []
        var ipv6: [DecoyPolicy.IPv6Range] = []
        for range in decoyRanges {
            let word = { (bytes: ArraySlice<UInt8>) in bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            switch range.family {
            case .ipv4:
                ipv4.append(.init(network: UInt32(word(range.network[0..<4])), prefixLength: range.prefixLength))
            case .ipv6:
                ipv6.append(.init(high: word(range.network[0..<8]), low: word(range.network[8..<16]), prefixLength: range.prefixLength))
            }
        }
        return DecoyPolicy(percent: Int(decoyPeers), ipv4: ipv4, ipv6: ipv6)
    }
}

extension ServerConfiguration {
    /// MemTotal from /proc/meminfo in bytes, 0 when unreadable (then no memory cap applies).
    static func physicalMemory() -> Int {
        guard let text = BoundedFile.systemText(of: "/proc/meminfo") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kib = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kib * 1024
        }
        return 0
    }
}
