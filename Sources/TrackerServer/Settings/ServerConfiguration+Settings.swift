import TrackerCore
import TrackerIO

extension ServerConfiguration {
    /// The running configuration for validated daemon settings (defaults < file < flags).
    public init(settings: DaemonSettings) throws(StartupError) {
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
        accessMode = settings.accessMode
        accessListPath = settings.accessListPath
        user = settings.user
        chroot = settings.chroot
        stateFile = settings.stateFile
        snapshotInterval = settings.snapshotInterval
        connectionIDKey = try settings.connectionIDKey.map { path throws(StartupError) in try KeyFile.connectionIDKey(path) }
        cluster = try ClusterConfiguration(settings: settings)
    }
}
