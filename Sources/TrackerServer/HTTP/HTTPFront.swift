import Glibc
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TrackerCore
import TrackerIO

/// The HTTP announce/scrape/stats/metrics server: one NIO event loop per configured CPU, pinned to
/// it, sharing the UDP workers' `TorrentStore`.
public final class HTTPFront: Sendable {
    public let configuration: HTTPConfiguration
    private let shared: HTTPSharedServices
    private let logger: Logger
    private let access: AccessPolicy?
    /// One ring per event loop to the cluster sync thread (empty without a cluster).
    private let syncQueues: [SyncQueue]
    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var group: MultiThreadedEventLoopGroup?
        var channels: [Channel] = []
        var sweeps: [RepeatedTask] = []
    }

    /// `access`: the UDP workers' `AccessPolicy` (TrackerService.access), so a whitelist or
    /// blacklist and its reloads apply to HTTP announces too; nil serves every torrent.
    public init(
        configuration: HTTPConfiguration, store: TorrentStore, statistics: TrackerStatisticsSource,
        access: AccessPolicy? = nil, syncQueues: [SyncQueue] = [], logger: Logger
    ) {
        self.syncQueues = syncQueues
        self.configuration = configuration
        self.access = access
        self.logger = logger
        self.shared = HTTPSharedServices(
            configuration: configuration, store: store, statistics: statistics,
            loops: max(configuration.eventLoopCPUs.count, 1))
    }

    /// Per event loop counters (stats, metrics, tests).
    public var loopStatistics: [HTTPStatistics] { shared.loopStatistics }

    /// Binds every listener and, with `acceptImmediately`, starts serving; otherwise connections
    /// wait in the kernel's backlog until `startAccepting()` (the daemon binds, drops privileges,
    /// then accepts). Returns the bound addresses with real ports ("127.0.0.1:41234",
    /// "[::1]:41235"). Bind failures carry the listener text.
    public func start(acceptImmediately: Bool = true) throws(StartupError) -> [String] {
        let loops = max(configuration.eventLoopCPUs.count, 1)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
        let eventLoops = Array(group.makeIterator())
        if configuration.pinEventLoops {
            for (index, loop) in eventLoops.enumerated() where index < configuration.eventLoopCPUs.count {
                let cpu = configuration.eventLoopCPUs[index]
                let logger = self.logger
                // Runs on the loop's own thread, before any channel is registered on it.
                let pinned = loop.submit {
                    do { try CPUSet.pinCurrentThread(to: cpu) } catch {
                        logger.warning("could not pin HTTP event loop", metadata: ["cpu": "\(cpu)", "error": "\(error)"])
                    }
                }
                _ = try? pinned.wait()
            }
        }
        shared.fullScrapePool.start()
        var seeds = SystemRandomNumberGenerator()
        let timeout = Int64(configuration.idleTimeout) * 1000
        let headTimeout = Int64(configuration.headTimeout) * 1000
        let interval = HTTPIdleSweeper.interval(timeoutMilliseconds: min(timeout, headTimeout))
        let contexts = eventLoops.enumerated().map { index, _ in
            HTTPLoopContext(
                index: index, statistics: shared.loopStatistics[index], seed: seeds.next(), access: access,
                idle: HTTPIdleSweeper(
                    idleTimeoutMilliseconds: timeout, headTimeoutMilliseconds: headTimeout, intervalMilliseconds: interval),
                allocator: ByteBufferAllocator(), sync: index < syncQueues.count ? syncQueues[index] : nil)
        }
        let sweeps = zip(eventLoops, contexts).map { loop, context in
            loop.scheduleRepeatedTask(initialDelay: .milliseconds(interval), delay: .milliseconds(interval)) { _ in
                context.idle.sweep()
            }
        }
        var channels: [Channel] = []
        var bound: [String] = []
        for listener in configuration.listeners {
            do {
                let address = try TrackerIO.SocketAddress(parsing: listener)
                var bootstrap = makeBootstrap(group: group, eventLoops: eventLoops, contexts: contexts)
                    .serverChannelOption(.autoRead, value: acceptImmediately)
                if address.isIPv6 {
                    // [::] must not also take IPv4: 0.0.0.0 has its own listener (as for UDP).
                    bootstrap = bootstrap.serverChannelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
                }
                let channel = try bootstrap.bind(host: address.host, port: Int(address.port)).wait()
                channels.append(channel)
                bound.append(Self.describe(channel.localAddress, fallback: listener))
            } catch {
                for sweep in sweeps { sweep.cancel() }
                for channel in channels { _ = try? channel.close().wait() }
                try? group.syncShutdownGracefully()
                try? shared.fullScrapePool.syncShutdownGracefully()
                throw StartupError("bind tcp \(listener): \(Self.reason(error))")
            }
        }
        state.withLock {
            $0.group = group
            $0.channels = channels
            $0.sweeps = sweeps
        }
        logger.debug("http listening", metadata: ["http": "\(bound.joined(separator: ", "))", "loops": "\(loops)"])
        return bound
    }

    /// Starts accepting on every listener bound by `start(acceptImmediately: false)`.
    public func startAccepting() {
        let channels = state.withLock { $0.channels }
        for channel in channels {
            // Turning autoRead on for a registered listener issues its first accept.
            _ = try? channel.setOption(.autoRead, value: true).wait()
        }
    }

    /// Closes the listeners and open connections and stops the event loops. Call from outside
    /// the event loops (the daemon's main thread).
    public func stop() {
        let (group, channels, sweeps) = state.withLock { state -> (MultiThreadedEventLoopGroup?, [Channel], [RepeatedTask]) in
            defer {
                state.group = nil
                state.channels = []
                state.sweeps = []
            }
            return (state.group, state.channels, state.sweeps)
        }
        for sweep in sweeps { sweep.cancel() }
        for channel in channels { _ = try? channel.close().wait() }
        try? group?.syncShutdownGracefully()
        if group != nil { try? shared.fullScrapePool.syncShutdownGracefully() }
    }

    private func makeBootstrap(
        group: MultiThreadedEventLoopGroup, eventLoops: [EventLoop], contexts: [HTTPLoopContext]
    ) -> ServerBootstrap {
        let shared = self.shared
        let configuration = self.configuration
        return ServerBootstrap(group: group)
            .serverChannelInitializer { channel in
                let index = eventLoops.firstIndex { $0 === channel.eventLoop } ?? 0
                let statistics = contexts[index].statistics
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPAcceptPause(statistics: statistics))
                }
            }
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Accept up to 16 connections per wake-up of the listener (NIO's default is 4).
            .serverChannelOption(.maxMessagesPerRead, value: 16)
            // No child options: TCP_NODELAY is set by ServerBootstrap on the listener and Linux
            // accepted sockets inherit it; maxMessagesPerRead is 4 by default. Each child option
            // is a setOption (and setsockopt) per connection.
            .childChannelInitializer { channel in
                let index = eventLoops.firstIndex { $0 === channel.eventLoop } ?? 0
                let loop = contexts[index]
                // Over the limit: close at once. Accepting keeps the kernel queue drained (no
                // EMFILE spin as in opentracker) and the client sees a prompt close.
                let open = shared.openConnections.value.add(1, ordering: .relaxed).newValue
                guard open <= UInt64(configuration.maxConnections) else {
                    shared.openConnections.value.subtract(1, ordering: .relaxed)
                    loop.statistics.count(.rejectedOverLimit)
                    channel.close(promise: nil)
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                // Per client network: one address must not fill the global cap (trusted proxies,
                // which carry many clients, are exempt).
                var addressSlot: (limiter: HTTPAddressLimiter, key: UInt64)?
                if let limiter = shared.addressLimiter, let peer = HTTPPeerAddress.peerAddress(channel.remoteAddress),
                   !configuration.trustedProxy(peer)
                {
                    let key = peer.networkKey
                    guard limiter.acquire(key) else {
                        shared.openConnections.value.subtract(1, ordering: .relaxed)
                        loop.statistics.count(.rejectedPerAddress)
                        channel.close(promise: nil)
                        return channel.eventLoop.makeSucceededVoidFuture()
                    }
                    addressSlot = (limiter, key)
                }
                loop.statistics.count(.accepted)
                do {
                    // Four handlers: the connection guard (head limit, idle, counts), NIO's HTTP/1
                    // decoder, the latency timer, our handler (routing, pipelining order, response encoding).
                    let sync = channel.pipeline.syncOperations
                    let guardHandler = HTTPConnectionGuard(
                        limit: configuration.maxHeadBytes, loop: loop, openConnections: shared.openConnections,
                        addressSlot: addressSlot)
                    try sync.addHandler(guardHandler)
                    try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try sync.addHandler(HTTPLatencyHandler(histogram: loop.statistics.latency))
                    try sync.addHandler(HTTPTrackerHandler(shared: shared, loop: loop, connection: guardHandler))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
    }

    static func describe(_ address: NIOCore.SocketAddress?, fallback: String) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return fallback }
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }

    static func reason(_ error: any Error) -> String {
        // IOError's description names NIO's internal call ("bind(descriptor:ptr:bytes:): … (errno: 98)");
        // the operator needs only the kernel's reason, as for UDP.
        if let io = error as? IOError { return SystemError(errno: io.errnoCode, call: "bind").description }
        if let startup = error as? StartupError { return startup.description }
        return "\(error)"
    }
}
