import ArgumentParser
import Glibc
import Logging
import TrackerCore
import TrackerIO
import TrackerProtocol
import TrackerServer

/// The daemon: defaults < `--config FILE` < flags → `TrackerService`, then wait for signals.
/// Every flag also exists as `ringtracker.<flag>` in a config file (see README, "Configuration").
@main
struct RingTracker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringtracker",
        abstract: "An open BitTorrent tracker (BEP 15 UDP on io_uring).",
        discussion: """
            With no listener flags it serves UDP and HTTP on 0.0.0.0:6969 and [::]:6969. Any --udp \
            or --http replaces all default listeners. SIGINT/SIGTERM stop it cleanly; SIGHUP reloads the access list.

            opentracker's flags are accepted with its meaning: -f FILE (--config), -i IP (address for the \
            following -p/-P/-s), -p PORT (TCP), -P PORT (UDP), -A NET (--stats-allow and --trusted-proxy), \
            -r URL, -d DIR (--rootdir), -u USER, -w FILE, -b FILE, -s PORT, -l FILE (--import-statedump), -v, -h.
            """,
        version: RingTrackerVersion.string)

    /// opentracker's short flags are rewritten first (`OpentrackerArguments`); every failure to
    /// parse, like every start-up failure, is one line on stderr and exit status 1.
    static func main() {
        let arguments: [String]
        do { arguments = try OpentrackerArguments.translate(Array(CommandLine.arguments.dropFirst())) } catch {
            fail(error.description)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
        }
    }

    @Option(help: ArgumentHelp("Read settings from an opentracker.conf-style file (flags override it).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("check-config"), help: ArgumentHelp("Validate FILE (plus any flags), print the effective configuration and exit.", valueName: "file"))
    var checkConfig: String?

    @Option(help: ArgumentHelp("UDP listener, repeatable (default: 0.0.0.0:6969 and [::]:6969).", valueName: "host:port"))
    var udp: [String] = []

    @Option(help: ArgumentHelp("HTTP listener, repeatable (default: 0.0.0.0:6969 and [::]:6969 over TCP). Any --udp or --http replaces all defaults.", valueName: "host:port"))
    var http: [String] = []

    @Option(help: ArgumentHelp("CPUs to run one pinned UDP worker each on: 0 | 0,2 | 0-3 (default: all online).", valueName: "list"))
    var cpus: String?

    @Flag(name: .customLong("no-pin"), help: "Do not pin workers to their CPUs.")
    var noPin = false

    @Option(name: .customLong("io-backend"), help: ArgumentHelp("auto (probe io_uring, else mmsg), io_uring or mmsg (default: auto).", valueName: "backend"))
    var ioBackend: String?

    @Option(name: .customLong("udp-workers"), help: ArgumentHelp("Number of UDP workers, placed round-robin on --cpus (default: one per CPU).", valueName: "n"))
    var udpWorkers: String?

    @Option(help: ArgumentHelp("Announce interval sent to clients, ±10 % jitter (default: 1800).", valueName: "seconds"))
    var interval: String?

    @Option(name: .customLong("peer-timeout"), help: ArgumentHelp("Forget a peer not seen for this long (default: 2700).", valueName: "seconds"))
    var peerTimeout: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error, critical (default: info).", valueName: "level"))
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp("auto (journal under systemd, else text), text, journal (<N> priority prefixes) or json (default: auto).", valueName: "format"))
    var logFormat: String?

    @Option(help: ArgumentHelp("Serve only the info hashes listed in FILE (opentracker syntax); reloaded on SIGHUP and change.", valueName: "file"))
    var whitelist: String?

    @Option(help: ArgumentHelp("Refuse the info hashes listed in FILE; reloaded on SIGHUP and change.", valueName: "file"))
    var blacklist: String?

    @Option(help: ArgumentHelp("Started as root: drop to this user after binding.", valueName: "name"))
    var user: String?

    @Option(name: [.customLong("chroot"), .customLong("rootdir")], help: ArgumentHelp("opentracker's tracker.rootdir: as root, chroot here before dropping to --user; otherwise chdir here. Files are then opened relative to it.", valueName: "dir"))
    var chroot: String?

    @Option(name: .customLong("redirect-url"), help: ArgumentHelp("HTTP: answer GET / with a 302 to this URL (default: 404).", valueName: "url"))
    var redirectURL: String?

    @Option(name: .customLong("stats-allow"), help: ArgumentHelp("Networks allowed to read /stats and /metrics, repeatable (default: loopback).", valueName: "cidr"))
    var statsAllow: [String] = []

    @Option(name: .customLong("stats-path"), help: ArgumentHelp("HTTP path of the stats page (default: stats).", valueName: "path"))
    var statsPath: String?

    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp("Proxies whose X-Forwarded-For is believed, repeatable.", valueName: "cidr"))
    var trustedProxy: [String] = []

    @Option(name: .customLong("state-file"), help: ArgumentHelp("Snapshot swarms to FILE on exit and periodically; load it at start.", valueName: "file"))
    var stateFile: String?

    @Option(name: .customLong("snapshot-interval"), help: ArgumentHelp("Seconds between snapshots (default: 300).", valueName: "seconds"))
    var snapshotInterval: String?

    @Option(name: .customLong("max-torrents"), help: ArgumentHelp("Refuse announces that would create more torrents (default: 10000000; 0 = no limit).", valueName: "n"))
    var maxTorrents: String?

    @Option(name: .customLong("max-peers-per-torrent"), help: ArgumentHelp("Peers per family in one torrent; a new one beyond replaces a random one (default: 100000; 0 = no limit).", valueName: "n"))
    var maxPeersPerTorrent: String?

    @Option(name: .customLong("max-new-torrents-per-minute"), help: ArgumentHelp("New torrents one IPv4 address or IPv6 /64 may create per minute (default: 1000; 0 = no limit).", valueName: "n"))
    var maxNewTorrentsPerMinute: String?

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Refuse new torrents and peers above this estimated store size in MiB (default: auto = half of physical memory; 0 = no limit).", valueName: "MiB|auto"))
    var maxMemory: String?

    @Option(name: .customLong("full-scrape-interval"), help: ArgumentHelp("Seconds between full scrapes per client address (429 before); 0 = full scrape off (default: 60).", valueName: "seconds"))
    var fullScrapeInterval: String?

    @Flag(name: .customLong("metrics-public"), help: "Serve /metrics to everyone, not only --stats-allow networks.")
    var metricsPublic = false

    @Option(name: .customLong("livesync-listen"), help: ArgumentHelp("Cluster sync: join 224.0.23.5 on the interface with this IPv4 address (opentracker livesync.cluster.listen; default port 9696).", valueName: "ip[:port]"))
    var livesyncListen: String?

    @Option(name: .customLong("cluster-multicast6"), help: ArgumentHelp("Cluster sync: join ff02::7274:6c73 on this interface.", valueName: "iface"))
    var clusterMulticast6: String?

    @Option(name: .customLong("cluster-node"), help: ArgumentHelp("Cluster sync: also send to this node by unicast, repeatable.", valueName: "host:port"))
    var clusterNode: [String] = []

    @Option(name: .customLong("cluster-allow"), help: ArgumentHelp("Cluster sync: accept packets from this network, repeatable (livesync.cluster.node_ip).", valueName: "cidr"))
    var clusterAllow: [String] = []

    @Option(name: .customLong("cluster-key"), help: ArgumentHelp("Cluster sync: HMAC key file shared by all nodes (≥ 16 bytes, raw or hex).", valueName: "file"))
    var clusterKey: String?

    @Flag(name: .customLong("cluster-insecure"), help: "Cluster sync: accept unsigned packets (mixed clusters with opentracker nodes).")
    var clusterInsecure = false

    @Option(name: .customLong("cluster-flush-delay"), help: ArgumentHelp("Cluster sync: send a partly filled packet after this long (default: 1).", valueName: "seconds"))
    var clusterFlushDelay: String?

    @Option(name: .customLong("cluster-state-from"), help: ArgumentHelp("Cluster sync: at start, load the swarms of the node whose HTTP listener this is.", valueName: "host:port"))
    var clusterStateFrom: String?

    @Option(name: .customLong("connection-id-key"), help: ArgumentHelp("Connection-ID key file (16 bytes, raw or hex) shared by cluster nodes (default: random per start).", valueName: "file"))
    var connectionIDKey: String?

    @Option(name: .customLong("import-statedump"), help: ArgumentHelp("Load torrents' downloaded counts from an opentracker statedump (HEX40:base_minutes:downloaded lines) at start.", valueName: "file"))
    var importStatedump: String?

    @Option(name: .customLong("fifo-add"), help: ArgumentHelp("opentracker 1.0 access.fifo_add: a FIFO (created if absent) whose info-hash lines are added to the access list until the next reload.", valueName: "path"))
    var fifoAdd: String?

    @Option(name: .customLong("fifo-delete"), help: ArgumentHelp("opentracker 1.0 access.fifo_delete: a FIFO whose info-hash lines are removed from the access list until the next reload.", valueName: "path"))
    var fifoDelete: String?

    @Option(name: .customLong("decoy-peers"), help: ArgumentHelp("Percent of each announce reply made of decoy peers from --decoy-range, 0-50 (default: 0, off).", valueName: "percent"))
    var decoyPeers: String?

    @Option(name: .customLong("decoy-range"), help: ArgumentHelp("Network decoy addresses are drawn from, repeatable; only networks you control (no default).", valueName: "cidr"))
    var decoyRange: [String] = []

    /// The flags actually given, for `DaemonSettings.applyCommandLine` (they override the file).
    var givenFlags: [(key: SettingKey, values: [String])] {
        let single: [(SettingKey, String?)] = [
            (.cpus, cpus), (.ioBackend, ioBackend), (.udpWorkers, udpWorkers), (.interval, interval),
            (.peerTimeout, peerTimeout), (.logLevel, logLevel), (.logFormat, logFormat), (.whitelist, whitelist), (.blacklist, blacklist),
            (.user, user), (.chroot, chroot), (.redirectURL, redirectURL), (.statsPath, statsPath),
            (.stateFile, stateFile), (.snapshotInterval, snapshotInterval),
            (.maxTorrents, maxTorrents), (.maxPeersPerTorrent, maxPeersPerTorrent),
            (.maxNewTorrentsPerMinute, maxNewTorrentsPerMinute), (.maxMemory, maxMemory), (.fullScrapeInterval, fullScrapeInterval),
            (.pin, noPin ? "no" : nil), (.metricsPublic, metricsPublic ? "yes" : nil),
            (.livesyncListen, livesyncListen), (.clusterMulticast6, clusterMulticast6), (.clusterKey, clusterKey),
            (.clusterInsecure, clusterInsecure ? "yes" : nil), (.clusterFlushDelay, clusterFlushDelay),
            (.connectionIDKey, connectionIDKey), (.clusterStateFrom, clusterStateFrom),
            (.importStatedump, importStatedump), (.fifoAdd, fifoAdd), (.fifoDelete, fifoDelete), (.decoyPeers, decoyPeers),
        ]
        let repeated: [(SettingKey, [String])] = [
            (.udp, udp), (.http, http), (.statsAllow, statsAllow), (.trustedProxy, trustedProxy),
            (.clusterNode, clusterNode), (.clusterAllow, clusterAllow), (.decoyRange, decoyRange),
        ]
        return single.compactMap { key, value in value.map { (key, [$0]) } } + repeated.map { ($0, $1) }
    }

    func run() throws {
        let (settings, fileWarnings) = resolveSettings()
        var warnings = fileWarnings
        // The same checks start-up makes, without binding: --check-config approves only what starts.
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(settings: settings)
            warnings += try configuration.preflight()
        } catch {
            Self.fail(error.description)
        }
        if let file = checkConfig {
            print("# effective configuration (defaults < \(file) < flags)")
            for warning in warnings { print("# warning: \(warning)") }
            print(settings.effectiveDescription(), terminator: "")
            return
        }

        do { try ProcessSignals.blockForMainThread() } catch { Self.fail("signals: \(error)") }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        let format = LogFormat.resolve(
            settings.logFormat, journalStream: getenv("JOURNAL_STREAM").map { String(cString: $0) },
            standardError: FileIdentity.of(descriptor: STDERR_FILENO))
        LoggingSystem.bootstrap { label in
            if format == .text {
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ringtracker")
        for warning in warnings { logger.warning("\(warning)") }

        // Connected before start(): a chroot would hide /run/systemd/notify from the daemon later.
        let systemd: SystemdNotifier
        do { systemd = try SystemdNotifier(socketPath: SystemdNotifier.environmentSocket()) } catch {
            Self.fail("systemd notify socket: \(error)")
        }
        // glibc always accepts; a refusal means another allocator owns the heap (an LD_PRELOADed one,
        // a sanitizer's), which is the operator's choice and nothing to warn about.
        if !HeapTuning.releaseLargeBlocksToKernel() { logger.debug("mallopt(M_MMAP_THRESHOLD) refused; the heap keeps its allocator's defaults") }
        let service = TrackerService(configuration: configuration, logger: logger)
        do { try service.start() } catch { Self.fail(error.description) }
        // start() returned: every socket is bound and any privilege drop verified.
        let status = service.readinessStatus()
        notify(logger) { () throws(SystemError) in try systemd.ready(status: status) }

        while service.failure == nil {
            switch ProcessSignals.wait(milliseconds: 200) {
            case .terminate(let signal)?:
                logger.info("stopping", metadata: ["signal": "\(signal)"])
                notify(logger) { () throws(SystemError) in try systemd.stopping() }
                service.stop()
                logger.info("stopped", metadata: service.summaryMetadata())
                return
            case .reload?:
                notify(logger) { () throws(SystemError) in try systemd.reloading() }
                if configuration.accessMode == .open {
                    logger.notice("SIGHUP: no access list to reload")
                } else {
                    service.reloadAccessList(trigger: "SIGHUP")
                }
                notify(logger) { () throws(SystemError) in try systemd.ready(status: status) }
            case nil:
                continue
            }
        }
        notify(logger) { () throws(SystemError) in try systemd.stopping() }
        service.stop()
        Self.fail(service.failure ?? "worker failed")
    }

    /// A notification systemd did not take is logged, never fatal: the tracker itself is fine.
    private func notify(_ logger: Logger, _ send: () throws(SystemError) -> Void) {
        do { try send() } catch { logger.warning("systemd notify failed: \(error)") }
    }

    /// Defaults, then the config file (from --config or --check-config), then flags; any error
    /// ends the process with one line naming the file and line or the flag.
    func resolveSettings() -> (DaemonSettings, [String]) {
        var settings = DaemonSettings()
        var warnings: [String] = []
        if let path = checkConfig ?? config {
            let text: String
            do { text = try BoundedFile.text(of: path, limit: ConfigurationFile.maximumBytes) } catch { Self.fail("config \(error)") }
            do {
                let file = try ConfigurationFile(parsing: text, fileName: path, base: settings)
                settings = file.settings
                warnings = file.warnings
            } catch {
                Self.fail(error.description)
            }
        }
        do {
            try settings.applyCommandLine(givenFlags)
            try settings.validate()
        } catch {
            Self.fail(error.description)
        }
        return (settings, warnings)
    }
}

extension RingTracker {
    /// A start-up or runtime failure: one line, "ringtracker: <message>", exit status 1.
    static func fail(_ message: String) -> Never {
        let line = "ringtracker: \(message)\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        Glibc.exit(1)
    }
}
