import ArgumentParser
import Glibc
import Logging
import TrackerCore
import TrackerIO
import TrackerServer

extension ServerConfiguration.BackendChoice: ExpressibleByArgument {}

/// The daemon: flags → `ServerConfiguration` → `TrackerService`, then wait for a signal.
@main
struct RingTracker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringtracker",
        abstract: "An open BitTorrent tracker (BEP 15 UDP on io_uring).",
        discussion: """
            With no listener flags it serves UDP on 0.0.0.0:6969 and [::]:6969. Any --udp replaces \
            all default listeners. SIGINT/SIGTERM stop it cleanly.
            """,
        version: RingTrackerVersion.string)

    @Option(name: .customLong("udp"), help: ArgumentHelp("UDP listener HOST:PORT, repeatable (e.g. 0.0.0.0:6969, [::]:6969).", valueName: "host:port"))
    var udp: [String] = []

    @Option(name: .customLong("http"), help: ArgumentHelp("HTTP listener HOST:PORT, repeatable (reserved: the HTTP tracker is not in this build).", valueName: "host:port"))
    var http: [String] = []

    @Option(help: ArgumentHelp("CPUs to run one pinned UDP worker each on: 0 | 0,2 | 0-3 (default: all online CPUs).", valueName: "list"))
    var cpus: String?

    @Flag(name: .customLong("no-pin"), help: "Do not pin workers to their CPUs.")
    var noPin = false

    @Option(name: .customLong("io-backend"), help: "auto (probe io_uring, fall back to mmsg), io_uring or mmsg.")
    var ioBackend: ServerConfiguration.BackendChoice = .auto

    @Option(help: ArgumentHelp("Announce interval in seconds sent to clients (jittered ±10 %).", valueName: "seconds"))
    var interval: UInt32 = TrackerConfiguration().announceInterval

    @Option(name: .customLong("peer-timeout"), help: ArgumentHelp("Forget a peer not seen for this many seconds.", valueName: "seconds"))
    var peerTimeout: UInt32 = TrackerConfiguration().peerTimeout

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
        guard interval >= 60 else { throw ValidationError("--interval must be at least 60 seconds") }
        guard peerTimeout >= 60 else { throw ValidationError("--peer-timeout must be at least 60 seconds") }
        if !http.isEmpty { throw ValidationError("--http: the HTTP tracker is not part of this build yet") }
    }

    func run() throws {
        ProcessSignals.blockForMainThread()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ringtracker")

        var tracker = TrackerConfiguration()
        tracker.announceInterval = interval
        tracker.intervalJitter = interval / 10
        tracker.peerTimeout = peerTimeout
        let cpuList: [Int]?
        do { cpuList = try cpus.map { try CPUSet.parse($0) } } catch {
            throw ValidationError("--cpus \(cpus ?? ""): \(error)")
        }
        let configuration = ServerConfiguration(
            udpListeners: udp.isEmpty ? nil : udp, cpus: cpuList, pinWorkers: !noPin, backend: ioBackend,
            tracker: tracker)

        let service = TrackerService(configuration: configuration, logger: logger)
        do { try service.start() } catch { Self.fail(error.description) }

        while service.failure == nil {
            switch ProcessSignals.wait(milliseconds: 200) {
            case .terminate(let signal)?:
                logger.info("stopping", metadata: ["signal": "\(signal)"])
                service.stop()
                logger.info("stopped", metadata: service.summaryMetadata())
                return
            case .reload?:
                logger.notice("SIGHUP: nothing to reload in this build")
            case nil:
                continue
            }
        }
        service.stop()
        Self.fail(service.failure ?? "worker failed")
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
