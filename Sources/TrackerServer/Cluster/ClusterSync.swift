import Glibc
import Logging
import TrackerCore
import TrackerIO

/// Cluster live sync: one sender thread draining every UDP worker's `SyncQueue` into batched
/// packets, one receiver thread per transport family applying peers to the same store shards.
/// Neither thread touches a worker's state; the hot path only pushes into its own ring.
public final class ClusterSync: Sendable {
    public let configuration: ClusterConfiguration
    public let statistics: ClusterStatistics
    /// Random per start: a restarted node gets a fresh replay window on its peers.
    public let trackerID: UInt32
    let store: TorrentStore
    let queues: [SyncQueue]
    let logger: Logger
    let sockets: [ClusterSocketHolder]

    /// Binds and joins at once, so start-up errors carry context.
    public init(
        configuration: ClusterConfiguration, store: TorrentStore, queues: [SyncQueue], statistics: ClusterStatistics,
        logger: Logger
    ) throws(StartupError) {
        self.configuration = configuration
        self.store = store
        self.queues = queues
        self.statistics = statistics
        self.logger = logger
        var random = SystemRandomNumberGenerator()
        trackerID = UInt32.random(in: 1...UInt32.max, using: &random)
        var holders: [ClusterSocketHolder] = []
        let wantsIPv4 = configuration.multicastIPv4Interface != nil || configuration.nodes.contains { !$0.isIPv6 }
        let wantsIPv6 = configuration.multicastIPv6Interface != nil || configuration.nodes.contains { $0.isIPv6 }
        do {
            if wantsIPv4 {
                let socket = try ClusterSocket(port: configuration.port, ipv6: false)
                if let interface = configuration.multicastIPv4Interface {
                    try socket.joinIPv4(group: ClusterConfiguration.ipv4Group, interface: interface)
                }
                holders.append(ClusterSocketHolder(socket, ipv6: false))
            }
            if wantsIPv6 {
                let socket = try ClusterSocket(port: configuration.port, ipv6: true)
                if let interface = configuration.multicastIPv6Interface {
                    try socket.joinIPv6(group: ClusterConfiguration.ipv6Group, interface: interface)
                }
                holders.append(ClusterSocketHolder(socket, ipv6: true))
            }
        } catch {
            throw StartupError("cluster sync on port \(configuration.port): \(error)")
        }
        sockets = holders
    }

    /// Where each packet goes: the multicast groups joined and every unicast node.
    private func destinations() -> [(socket: Int, address: SocketAddress)] {
        var result: [(Int, SocketAddress)] = []
        for (index, holder) in sockets.enumerated() {
            if !holder.ipv6, configuration.multicastIPv4Interface != nil,
               let group = try? SocketAddress(parsing: "224.0.23.5:\(configuration.port)") {
                result.append((index, group))
            }
            // Scope 0: IPV6_MULTICAST_IF (set when joining) picks the interface.
            if holder.ipv6, configuration.multicastIPv6Interface != nil,
               let group = try? SocketAddress(parsing: "[ff02::7274:6c73]:\(configuration.port)") {
                result.append((index, group))
            }
            for node in configuration.nodes where node.isIPv6 == holder.ipv6 { result.append((index, node)) }
        }
        return result
    }

    func startThreads(stop: StopSignal) throws -> [WorkerThread] {
        var threads: [WorkerThread] = [try startSender(stop: stop)]
        for index in sockets.indices { threads.append(try startReceiver(socket: index, stop: stop)) }
        return threads
    }

    private var authenticator: ClusterAuthenticator? { configuration.key.map { ClusterAuthenticator(keyBytes: $0) } }

    private func startSender(stop: StopSignal) throws -> WorkerThread {
        let targets = destinations()
        return try WorkerThread(name: "sync-send") { [self] in
            var sender = ClusterSender(trackerID: trackerID, authenticator: authenticator, flushDelay: configuration.flushDelay)
            let emit: (ArraySlice<UInt8>, Int) -> Void = { [self] packet, entries in send(packet, entries: entries, to: targets) }
            while true {
                let stopping = stop.isRequested
                let clock = MonotonicClock.seconds()
                let wall = WallClock.seconds()
                for queue in queues {
                    _ = queue.drain(limit: 4096) { entry in sender.add(entry, clock: clock, wallClock: wall, emit: emit) }
                }
                sender.flushDue(clock: clock, wallClock: wall, force: stopping, emit: emit)
                statistics.queueOverflows.store(queues.reduce(0) { $0 &+ $1.overflows }, ordering: .relaxed)
                if stopping { return }
                // 10 ms: the drain period; a full packet goes out at once, a partial one within the flush delay.
                stop.sleep(nanoseconds: 10_000_000)
            }
        }
    }

    private func send(_ packet: ArraySlice<UInt8>, entries: Int, to targets: [(socket: Int, address: SocketAddress)]) {
        packet.withUnsafeBytes { bytes in
            for target in targets {
                if sockets[target.socket].socket.send(bytes, to: target.address) {
                    statistics.packetsSent.add(1, ordering: .relaxed)
                    statistics.peersSent.add(UInt64(entries), ordering: .relaxed)
                    statistics.bytesSent.add(UInt64(bytes.count), ordering: .relaxed)
                } else {
                    statistics.sendFailures.add(1, ordering: .relaxed)
                }
            }
        }
    }

    private func startReceiver(socket index: Int, stop: StopSignal) throws -> WorkerThread {
        try WorkerThread(name: "sync-recv-\(index)") { [self] in
            let receiver = ClusterReceiver(
                store: store, statistics: statistics, ownTrackerID: trackerID, allow: configuration.allow,
                authenticator: authenticator, insecure: configuration.insecure)
            var buffer = [UInt8](repeating: 0, count: LivesyncFormat.receiveBufferSize)
            // Bounded: one loop turn per datagram or per 100 ms poll timeout, until stop.
            while !stop.isRequested {
                let received = buffer.withUnsafeMutableBytes { raw in
                    sockets[index].socket.receive(into: raw, timeoutMilliseconds: 100)
                }
                guard let (length, source) = received else { continue }
                guard let datagramSource = DatagramSource(source) else { continue }
                let endpoint = PeerEndpoint(datagramSource)
                receiver.receive(
                    buffer[0..<min(length, buffer.count)], from: endpoint.address, sourceName: source.description,
                    now: WallClock.seconds())
            }
        }
    }
}

/// Keeps a cluster socket alive for the threads that use it.
final class ClusterSocketHolder: Sendable {
    let socket: ClusterSocket
    let ipv6: Bool
    init(_ socket: consuming ClusterSocket, ipv6: Bool) {
        self.socket = socket
        self.ipv6 = ipv6
    }
}
