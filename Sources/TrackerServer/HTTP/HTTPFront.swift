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
    private let shared: HTTPShared
    private let logger: Logger
    private let access: AccessPolicy?
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
        access: AccessPolicy? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.access = access
        self.logger = logger
        self.shared = HTTPShared(
            configuration: configuration, store: store, statistics: statistics,
            loops: max(configuration.eventLoopCPUs.count, 1))
    }

    /// Per event loop counters (stats, metrics, tests).
    public var loopStatistics: [HTTPStatistics] { shared.loopStatistics }

    /// Binds every listener and starts serving. Returns the bound addresses with real ports
    /// ("127.0.0.1:41234", "[::1]:41235"). Bind failures carry the listener text.
    public func start() throws(StartupError) -> [String] {
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
        var seeds = SystemRandomNumberGenerator()
        let timeout = Int64(configuration.idleTimeout) * 1000
        let interval = HTTPIdleSweeper.interval(idleTimeoutMilliseconds: timeout)
        let contexts = eventLoops.enumerated().map { index, _ in
            HTTPLoopContext(
                index: index, statistics: shared.loopStatistics[index], seed: seeds.next(), access: access,
                idle: HTTPIdleSweeper(idleTimeoutMilliseconds: timeout, intervalMilliseconds: interval),
                allocator: ByteBufferAllocator())
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
                let (host, port) = try Self.split(listener)
                var bootstrap = makeBootstrap(group: group, eventLoops: eventLoops, contexts: contexts)
                if host.contains(":") {
                    // [::] must not also take IPv4: 0.0.0.0 has its own listener (as for UDP).
                    bootstrap = bootstrap.serverChannelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
                }
                let channel = try bootstrap.bind(host: host, port: port).wait()
                channels.append(channel)
                bound.append(Self.describe(channel.localAddress, fallback: listener))
            } catch {
                for sweep in sweeps { sweep.cancel() }
                for channel in channels { _ = try? channel.close().wait() }
                try? group.syncShutdownGracefully()
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
    }

    private func makeBootstrap(
        group: MultiThreadedEventLoopGroup, eventLoops: [EventLoop], contexts: [HTTPLoopContext]
    ) -> ServerBootstrap {
        let shared = self.shared
        let configuration = self.configuration
        return ServerBootstrap(group: group)
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
                loop.statistics.count(.accepted)
                do {
                    // Three handlers: the connection guard (head limit, idle, counts), NIO's HTTP/1
                    // decoder, our handler (routing, pipelining order, response encoding).
                    let sync = channel.pipeline.syncOperations
                    let guardHandler = HTTPConnectionGuard(
                        limit: configuration.maxHeadBytes, loop: loop, openConnections: shared.openConnections)
                    try sync.addHandler(guardHandler)
                    try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try sync.addHandler(HTTPTrackerHandler(shared: shared, loop: loop, connection: guardHandler))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
    }

    /// "HOST:PORT" or "[V6]:PORT".
    static func split(_ listener: String) throws(StartupError) -> (String, Int) {
        guard let colon = listener.lastIndex(of: ":"),
            let port = Int(listener[listener.index(after: colon)...]), (0...65535).contains(port)
        else { throw StartupError("bind tcp \(listener): expected HOST:PORT") }
        var host = String(listener[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw StartupError("bind tcp \(listener): expected HOST:PORT") }
        return (host, port)
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
