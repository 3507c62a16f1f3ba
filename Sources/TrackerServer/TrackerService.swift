import Glibc
import Logging
import Synchronization
import TrackerCore
import TrackerIO
import TrackerProtocol

/// The running tracker: one shared store, one pinned UDP worker per CPU, one cleaner.
///
/// `start()` binds every socket on the calling thread, so bind errors surface synchronously with
/// context; once it returns the sockets are bound and datagrams queue for the workers.
public final class TrackerService: Sendable {
    public let configuration: ServerConfiguration
    public let store: TorrentStore
    public let workerStatistics: [UDPStatistics]
    public let engineCounters: [EngineCounters]
    /// The access list every announce is checked against (open mode allows everything).
    public let access: AccessPolicy
    /// Writes `--state-file` (the path as seen after any chroot); nil without a state file.
    public let snapshots: StateSnapshots?
    /// Cluster sync counters (zero without a cluster) and one ring per UDP worker to the sync thread.
    public let clusterStatistics = ClusterStatistics()
    let syncQueues: [SyncQueue]
    /// One ring per HTTP event loop (they run on the same CPUs as the workers).
    let httpSyncQueues: [SyncQueue]
    /// Keeps a reload that fails on every file change from flooding the log.
    let reloadFailures = RepeatLimiter()
    /// opentracker 1.0 dynamic access-list FIFOs, opened with the list at start.
    let accessFIFOs = AccessFIFOs()
    let logger: Logger
    private let stopSignal = StopSignal()
    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var sockets: [SocketHolder] = []
        var threads: [WorkerThread] = []
        var udpWorkers = 0
        var boundAddresses: [SocketAddress] = []
        var http: HTTPFront?
        var httpAddresses: [String] = []
        var failure: String?
        var backend: IOBackend = .mmsg
        var stopped = false
        /// Where the access list is read now: inside the chroot once privileges were dropped.
        var accessListReadPath: String?
    }

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.store = TorrentStore(configuration: configuration.tracker)
        self.workerStatistics = configuration.cpus.map { _ in UDPStatistics() }
        self.engineCounters = configuration.cpus.map { _ in EngineCounters() }
        self.access = AccessPolicy(mode: configuration.accessMode)
        self.syncQueues = configuration.cluster.isEnabled ? configuration.cpus.map { _ in SyncQueue() } : []
        self.httpSyncQueues = configuration.cluster.isEnabled ? configuration.cpus.map { _ in SyncQueue() } : []
        let store = self.store
        self.snapshots = configuration.stateFile.map { StateSnapshots(path: $0, store: store, logger: logger) }
    }

    /// The addresses actually bound, with real ports (port 0 resolved), one per listener.
    public var udpAddresses: [SocketAddress] { state.withLock { $0.boundAddresses } }
    /// The HTTP listeners actually bound ("127.0.0.1:41234"), empty without HTTP.
    public var httpAddresses: [String] { state.withLock { $0.httpAddresses } }
    /// The HTTP front, while running (its per-loop counters feed /stats and /metrics).
    public var httpFront: HTTPFront? { state.withLock { $0.http } }
    /// The backend the workers run on after `auto` was resolved.
    public var backend: IOBackend { state.withLock { $0.backend } }
    /// Set when a worker died; the daemon exits non-zero with it.
    public var failure: String? { state.withLock { $0.failure } }
    public var isStopRequested: Bool { stopSignal.isRequested }
    /// UDP worker threads running: one per CPU that has sockets, none for an HTTP-only tracker.
    public var udpWorkerCount: Int { state.withLock { $0.udpWorkers } }
    var accessListReadPath: String? { state.withLock { $0.accessListReadPath } }
    func setAccessListReadPath(_ path: String) { state.withLock { $0.accessListReadPath = path } }

    public func start() throws(StartupError) {
        guard !configuration.cpus.isEmpty else { throw StartupError("no CPUs to run workers on") }
        let backend = try resolveBackend()
        try loadAccessListAtStart()
        loadStateAtStart()
        transferStateAtStart()
        let perWorker = try bindListeners()
        let cluster = try makeClusterSync()
        // HTTP binds now (a low port needs root) but accepts nothing until privileges are dropped.
        try startHTTP()
        do { try dropPrivilegesIfAsked() } catch {
            stopHTTP()
            throw error
        }
        var engine = configuration.engine
        engine.backend = backend
        state.withLock { $0.backend = backend }

        // SystemRandomNumberGenerator reads getrandom(2) on Linux: the key is unpredictable.
        var entropy = SystemRandomNumberGenerator()
        let key = configuration.connectionIDKey ?? TrackerConnectionIDs.randomKey(using: &entropy)
        let connectionIDs = TrackerConnectionIDs(key: key)
        let intervals = AnnounceIntervalPolicy(configuration: configuration.tracker)
        var threads: [WorkerThread] = []
        let udpWorkers = perWorker.filter { !$0.isEmpty }.count
        do {
            // A worker without sockets (an HTTP-only configuration) would only hold a ring.
            for (index, cpu) in configuration.cpus.enumerated() where !perWorker[index].isEmpty {
                let fds = perWorker[index]
                let handler = UDPRequestHandler(
                    store: store, connectionIDs: connectionIDs, intervals: intervals,
                    statistics: workerStatistics[index], access: access, seed: UInt64.random(in: .min ... .max))
                    .syncing(to: syncQueues.isEmpty ? nil : syncQueues[index])
                threads.append(try startWorker(index: index, cpu: cpu, fds: fds, handler: handler, engine: engine))
            }
            threads.append(try startCleaner())
            if let cluster { threads += try cluster.startThreads(stop: stopSignal) }
            if let watcher = try makeAccessListWatcher() { threads.append(watcher) }
            if let snapshots {
                threads.append(try snapshots.startPeriodic(interval: configuration.snapshotInterval, stop: stopSignal))
            }
        } catch {
            stopHTTP()
            stopSignal.request()
            threads.forEach { $0.join() }
            throw StartupError("start worker thread: \(error)")
        }
        state.withLock {
            $0.threads = threads
            $0.udpWorkers = udpWorkers
        }
        httpFront?.startAccepting()
        let addresses = udpAddresses.map(\.description).joined(separator: ", ")
        logger.info(
            "listening",
            metadata: ["udp": "\(addresses)", "http": "\(httpAddresses.joined(separator: ", "))",
                       "workers": "\(configuration.cpus.count)", "backend": "\(backend.rawValue)",
                       "connection-id-mac": "\(connectionIDs.cmac.cipher.accelerated ? "AES-CMAC (CPU AES instructions)" : "AES-CMAC (software AES)")"])
    }

    /// Asks every thread to finish and waits for them (each notices within one tick, ~100 ms),
    /// then writes the final state snapshot, if any.
    public func stop() {
        stopHTTP()
        stopSignal.request()
        let (threads, wasStopped) = state.withLock { state -> ([WorkerThread], Bool) in
            defer { state.threads = [] }
            return (state.threads, state.stopped)
        }
        threads.forEach { $0.join() }
        if !wasStopped, let snapshots {
            do {
                let report = try snapshots.write(now: WallClock.seconds())
                logger.info("state saved", metadata: ["path": "\(snapshots.path)", "report": "\(report)"])
            } catch {
                logger.error("state not saved: \(error)")
            }
        }
        state.withLock {
            $0.sockets = []
            $0.stopped = true
        }
    }

    /// Closes the HTTP listeners and connections first, so no announce races the shutdown.
    private func stopHTTP() {
        if let http = state.withLock({ state -> HTTPFront? in defer { state.http = nil }; return state.http }) {
            http.stop()
        }
    }

    /// Binds the HTTP listeners (before any privilege drop) on event loops pinned to the worker
    /// CPUs, sharing the store, the access list and the UDP counters.
    private func startHTTP() throws(StartupError) {
        guard !configuration.http.listeners.isEmpty else { return }
        guard configuration.udpListeners.isEmpty || !udpAddresses.isEmpty else { return }
        var http = configuration.http
        // Default listeners on a host without IPv6: serve HTTP where UDP could bind.
        if configuration.listenersAreDefaults, !udpAddresses.contains(where: \.isIPv6) {
            http.listeners = http.listeners.filter { !$0.hasPrefix("[") }
        }
        http.eventLoopCPUs = configuration.cpus
        http.pinEventLoops = configuration.pinWorkers
        http.announceInterval = configuration.tracker.announceInterval
        http.announceJitter = configuration.tracker.intervalJitter
        if configuration.cluster.isEnabled { http.clusterState = ClusterStateAccess(configuration.cluster) }
        let workers = workerStatistics
        let engines = engineCounters
        var source = TrackerStatisticsSource(udpWorkers: { workers })
        source.udpEngines = { engines }
        if configuration.cluster.isEnabled { source.cluster = clusterStatistics }
        let front = HTTPFront(
            configuration: http, store: store, statistics: source,
            access: access, syncQueues: httpSyncQueues, logger: logger)
        let bound = try front.start(acceptImmediately: false)
        state.withLock {
            $0.http = front
            $0.httpAddresses = bound
        }
    }

    /// Loads `--state-file` (inside the chroot, read before privileges are dropped). A missing file
    /// starts empty; a bad one is moved aside and the tracker starts empty. Then an opentracker
    /// statedump, if one is named (its readability was checked by `preflight`).
    private func loadStateAtStart() {
        defer {
            do { try importStatedumpAtStart() } catch { logger.error("\(error)") }
        }
        guard let path = configuration.stateFile else { return }
        let readable = configuration.pathBeforeDrop(path)
        let loader = readable == path ? snapshots : StateSnapshots(path: readable, store: store, logger: logger)
        _ = loader?.loadAtStartup(now: WallClock.seconds())
    }

    private func resolveBackend() throws(StartupError) -> IOBackend {
        switch configuration.backend {
        case .mmsg:
            return .mmsg
        case .ioUring:
            if case .failure(let failure) = IOProbe.ioUring() {
                throw StartupError("io_uring backend requested but unavailable: \(failure)")
            }
            return .ioUring
        case .auto:
            if case .failure(let failure) = IOProbe.ioUring() {
                logger.notice("io_uring unavailable (\(failure)); using the recvmmsg/sendmmsg backend")
                return .mmsg
            }
            return .ioUring
        }
    }

    /// Binds each listener once per worker (SO_REUSEPORT spreads flows across workers) after
    /// checking no other process holds the address. Returns each worker's file descriptors.
    private func bindListeners() throws(StartupError) -> [[Int32]] {
        var perWorker = Array(repeating: [Int32](), count: configuration.cpus.count)
        var holders: [SocketHolder] = []
        var bound: [SocketAddress] = []
        for text in configuration.udpListeners {
            let requested: SocketAddress
            do { requested = try SocketAddress(parsing: text) } catch {
                throw StartupError("udp listener \(text): \(error)")
            }
            var listenerHolders: [SocketHolder] = []
            do {
                listenerHolders = try bindGroup(requested)
                if let first = listenerHolders.first { bound.append(try first.socket.localAddress()) }
            } catch {
                if configuration.listenersAreDefaults, requested.isIPv6 {
                    logger.warning("skipping default listener", metadata: ["udp": "\(text)", "error": "\(error)"])
                    continue
                }
                throw StartupError("bind udp \(text): \(error)")
            }
            for (worker, holder) in listenerHolders.enumerated() { perWorker[worker].append(holder.fd) }
            holders += listenerHolders
        }
        guard !bound.isEmpty || configuration.udpListeners.isEmpty else {
            throw StartupError("no UDP listener could be bound")
        }
        if let first = holders.first { warnIfReceiveBufferCapped(first.socket) }
        state.withLock {
            $0.sockets = holders
            $0.boundAddresses = bound
        }
        return perWorker
    }

    /// One SO_REUSEPORT socket per worker on `requested`. A fixed port is first checked to be
    /// free (another process must not silently share it); port 0 first gets a port nobody holds,
    /// retried if another process takes it in between.
    private func bindGroup(_ requested: SocketAddress) throws(SystemError) -> [SocketHolder] {
        let attempts = requested.port == 0 ? 8 : 1
        var lastError = SystemError(errno: EADDRINUSE, call: "bind")
        for _ in 0..<attempts {
            do {
                let address: SocketAddress
                if requested.port == 0 {
                    address = try UDPSocket.unusedPort(requested)
                } else {
                    try UDPSocket.checkExclusive(requested)
                    address = requested
                }
                var holders: [SocketHolder] = []
                for _ in 0..<configuration.cpus.count {
                    holders.append(SocketHolder(try UDPSocket.bind(
                        address, reusePort: true, receiveBuffer: configuration.receiveBufferBytes)))
                }
                return holders
            } catch where error.errno == EADDRINUSE {
                lastError = error
            }
        }
        throw lastError
    }

    /// One warning when the kernel granted less receive buffer than asked (every socket gets the
    /// same cap): without root, SO_RCVBUF is clamped to net.core.rmem_max and bursts are dropped.
    private func warnIfReceiveBufferCapped(_ socket: borrowing UDPSocket) {
        guard configuration.receiveBufferBytes > 0, let reported = try? socket.receiveBufferSize() else { return }
        // socket(7): the kernel doubles the value it grants and reports the doubled figure.
        let granted = reported / 2
        guard granted < configuration.receiveBufferBytes else { return }
        logger.warning(
            "UDP receive buffer capped by the kernel; raise net.core.rmem_max (docs: README, Operating)",
            metadata: ["asked": "\(configuration.receiveBufferBytes)", "granted": "\(granted)"])
    }

    private func startWorker(
        index: Int, cpu: Int, fds: [Int32], handler: UDPRequestHandler, engine: WorkerEngineConfiguration
    ) throws -> WorkerThread {
        let pin = configuration.pinWorkers
        let counters = engineCounters[index]
        return try WorkerThread(name: "udp-\(index)") { [self] in
            if pin {
                do { try CPUSet.pinCurrentThread(to: cpu) } catch {
                    logger.warning("could not pin worker", metadata: ["cpu": "\(cpu)", "error": "\(error)"])
                }
            }
            var handler = handler
            do {
                try UDPWorkerEngine.run(
                    sockets: fds, handler: &handler, configuration: engine, stop: stopSignal, counters: counters)
            } catch {
                recordFailure("udp worker \(index) on cpu \(cpu): \(error)")
            }
            handler.tick()
        }
    }

    private func startCleaner() throws -> WorkerThread {
        let shards = store.shardCount
        // Spread one sweep over the clean interval: each shard is locked once, for microseconds.
        let pauseNanoseconds = UInt64(configuration.tracker.cleanInterval) * 1_000_000_000 / UInt64(max(shards, 1))
        return try WorkerThread(name: "cleaner") { [self] in
            var reader = access.makeReader()
            var heap = HeapTrimmer()
            while !stopSignal.isRequested {
                for shard in 0..<shards {
                    if stopSignal.isRequested { return }
                    reader.refresh()
                    // Torrents an access-list reload forbade are purged here, one shard at a time.
                    let current = reader
                    let allowed: ((InfoHash) -> Bool)? = current.mode == .open ? nil : { current.allows($0) }
                    _ = store.clean(shard: shard, now: WallClock.seconds(), allowed: allowed)
                    // The pause in slices: every slice, give back heap pages that growth freed.
                    var remaining = pauseNanoseconds
                    repeat {
                        let slice = min(remaining, HeapTrimmer.checkNanoseconds)
                        stopSignal.sleep(nanoseconds: slice)
                        remaining -= slice
                        heap.check()
                    } while remaining > 0 && !stopSignal.isRequested
                }
            }
        }
    }

    private func recordFailure(_ message: String) {
        logger.error("\(message)")
        state.withLock { if $0.failure == nil { $0.failure = message } }
        stopSignal.request()
    }
}

/// Keeps a bound socket (a `~Copyable` owner of its fd) alive while workers use its descriptor.
final class SocketHolder: Sendable {
    let socket: UDPSocket
    let fd: Int32
    init(_ socket: consuming UDPSocket) {
        self.fd = socket.fileDescriptor
        self.socket = socket
    }
}

extension TrackerService {
    /// Totals over all workers, for the shutdown log line.
    public func summaryMetadata() -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for outcome in UDPOutcome.allCases {
            let total = workerStatistics.reduce(0) { $0 + $1.responses(outcome) }
            metadata["\(outcome)"] = "\(total)"
        }
        metadata["dropped"] = "\(workerStatistics.reduce(0) { $0 + $1.totalDrops })"
        return metadata
    }
}
