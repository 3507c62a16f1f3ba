import Glibc
import Logging
import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

/// Three in-process nodes on loopback, each on its own sync port, sending to the other two by
/// unicast with a shared key. (The network-namespace tests exercise multicast between processes.)
@Suite("Cluster sync between three nodes over loopback unicast", .serialized)
struct ClusterLoopbackTests {
    static let flushDelay = 0.25

    /// Three sync ports nobody holds (bound once without SO_REUSEPORT, then released).
    static func freePorts() throws -> [UInt16] {
        try (0..<3).map { _ in try UDPSocket.unusedPort(SocketAddress(parsing: "0.0.0.0:0")).port }
    }

    static func nodeConfiguration(syncPort: UInt16, key: [UInt8]) -> ServerConfiguration {
        var configuration = ServerConfiguration(udpListeners: ["127.0.0.1:0"], cpus: [0], pinWorkers: false, backend: .mmsg)
        configuration.http = HTTPConfiguration(listeners: ["127.0.0.1:0"])
        configuration.cluster.port = syncPort
        configuration.cluster.allow = [CIDR("127.0.0.0/8")!]
        configuration.cluster.key = key
        configuration.cluster.flushDelay = flushDelay
        return configuration
    }

    static func withCluster(_ body: ([TrackerService], [UInt16]) throws -> Void) throws {
        var logger = Logger(label: "cluster-test")
        logger.logLevel = .critical
        let syncPorts = try freePorts()
        var services: [TrackerService] = []
        defer { services.forEach { $0.stop() } }
        for index in 0..<3 {
            var configuration = ServerConfiguration(udpListeners: ["127.0.0.1:0"], cpus: [0], pinWorkers: false, backend: .mmsg)
            configuration.http = HTTPConfiguration(listeners: ["127.0.0.1:0"])
            configuration.connectionIDKey = (0x0123_4567_89AB_CDEF, 0x0F1E_2D3C_4B5A_6978)
            configuration.cluster.port = syncPorts[index]
            configuration.cluster.nodes = try syncPorts.indices.filter { $0 != index }.map {
                try SocketAddress(parsing: "127.0.0.1:\(syncPorts[$0])")
            }
            configuration.cluster.allow = [CIDR("127.0.0.0/8")!]
            configuration.cluster.key = Array("three nodes, one shared cluster key".utf8)
            configuration.cluster.flushDelay = flushDelay
            let service = TrackerService(configuration: configuration, logger: logger)
            try service.start()
            services.append(service)
        }
        try body(services, services.map { $0.udpAddresses[0].port })
    }

    /// Polls `condition` every 10 ms for at most `seconds`.
    static func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = MonotonicClock.seconds() + seconds
        while MonotonicClock.seconds() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test("An announce on A is in B's and C's replies within twice the flush delay; stopped propagates; completed counts once")
    func announceStopCompleted() throws {
        try Self.withCluster { services, ports in
            let torrent = hash(77)
            let infoHash = InfoHash(bytes: torrent)
            let onA = try UDPTestClient(server: "127.0.0.1", port: ports[0], source: "127.0.0.20")
            try onA.connect()
            _ = try onA.announce(torrent, port: 6881, left: 0, event: 2)
            for node in services[1...] {
                #expect(Self.eventually(within: 2 * Self.flushDelay) { node.store.scrape(infoHash).seeders == 1 })
            }
            // B's reply to its own client lists A's peer.
            let onB = try UDPTestClient(server: "127.0.0.1", port: ports[1], source: "127.0.0.21")
            try onB.connect()
            let reply = try onB.announce(torrent, port: 6882, left: 100)
            #expect(reply.peers.map(\.0) == [[127, 0, 0, 20]] && reply.ports == Set([6881]))
            // completed on C (a leecher finishing) counts once everywhere.
            let onC = try UDPTestClient(server: "127.0.0.1", port: ports[2], source: "127.0.0.22")
            try onC.connect()
            _ = try onC.announce(torrent, port: 6883, left: 10)
            _ = try onC.announce(torrent, port: 6883, left: 0, event: 1)
            _ = try onC.announce(torrent, port: 6883, left: 0, event: 1)
            for node in services {
                #expect(Self.eventually(within: 2 * Self.flushDelay) { node.store.scrape(infoHash).downloaded == 1 })
            }
            // stopped on A removes its seeder from B and C.
            _ = try onA.announce(torrent, port: 6881, left: 0, event: 3)
            for node in services[1...] {
                #expect(Self.eventually(within: 2 * Self.flushDelay) { node.store.scrape(infoHash).seeders == 1 },
                        "only C's seeder is left")
            }
            #expect(services[1].clusterStatistics.dropped(.replayed) == 0)
            #expect(services[1].clusterStatistics.peersReceived.load(ordering: .relaxed) >= 3)
            #expect(services[0].clusterStatistics.packetsSent.load(ordering: .relaxed) >= 2)
        }
    }

    @Test("A connect answered by A validates on B with a shared connection-ID key")
    func sharedConnectionIDKey() throws {
        try Self.withCluster { _, ports in
            let onA = try UDPTestClient(server: "127.0.0.1", port: ports[0], source: "127.0.0.30")
            let id = try onA.connect()
            let onB = try UDPTestClient(server: "127.0.0.1", port: ports[1], source: "127.0.0.30")
            onB.connectionID = id
            let reply = try onB.announce(hash(78), port: 7000, left: 1)
            #expect(reply.leechers == 1)
        }
    }

    @Test("An HTTP announce on A reaches B; B's /stats?mode=syncs and /metrics count what it received")
    func httpAnnounceAndObservability() throws {
        try Self.withCluster { services, _ in
            let torrent = hashBytes(90)
            let onA = try HTTPTestClient(address: services[0].httpAddresses[0])
            let announced = try onA.get(announcePath(torrent, port: 7001, left: 0))
            #expect(announced.status == 200)
            let infoHash = InfoHash(bytes: torrent)
            #expect(Self.eventually(within: 2 * Self.flushDelay) { services[1].store.scrape(infoHash).seeders == 1 })
            let syncs = try HTTPTestClient(address: services[1].httpAddresses[0]).get("/stats?mode=syncs")
            #expect(syncs.status == 200)
            #expect(syncs.text.hasPrefix("1\n0\n"), "one peer received: \(syncs.text)")
            let metrics = try HTTPTestClient(address: services[1].httpAddresses[0]).get("/metrics").text
            #expect(metrics.contains("ringtracker_cluster_peers_total{direction=\"received\"} 1"))
            #expect(metrics.contains("ringtracker_cluster_dropped_total{reason=\"bad_mac\"} 0"))
            #expect(metrics.contains("ringtracker_cluster_last_packet_age_seconds{node=\"127.0.0.1:"))
        }
    }

    @Test("A starting node loads a peer's swarms by state transfer; a wrong key loads nothing")
    func stateTransfer() throws {
        var logger = Logger(label: "cluster-test")
        logger.logLevel = .critical
        let ports = try Self.freePorts()
        let key = Array("state transfer needs this key".utf8)
        var first = Self.nodeConfiguration(syncPort: ports[0], key: key)
        first.cluster.nodes = [try SocketAddress(parsing: "127.0.0.1:\(ports[1])")]
        let a = TrackerService(configuration: first, logger: logger)
        try a.start()
        defer { a.stop() }
        let torrent = hash(91)
        let client = try UDPTestClient(server: "127.0.0.1", port: a.udpAddresses[0].port, source: "127.0.0.40")
        try client.connect()
        _ = try client.announce(torrent, port: 7100, left: 0)

        var second = Self.nodeConfiguration(syncPort: ports[1], key: key)
        second.cluster.nodes = [try SocketAddress(parsing: "127.0.0.1:\(ports[0])")]
        second.cluster.stateFrom = a.httpAddresses[0]
        let b = TrackerService(configuration: second, logger: logger)
        try b.start()
        #expect(b.store.scrape(InfoHash(bytes: torrent)).seeders == 1, "filled before serving")
        b.stop()

        var wrong = Self.nodeConfiguration(syncPort: ports[2], key: Array("another key, not the cluster's".utf8))
        wrong.cluster.nodes = [try SocketAddress(parsing: "127.0.0.1:\(ports[0])")]
        wrong.cluster.stateFrom = a.httpAddresses[0]
        let c = TrackerService(configuration: wrong, logger: logger)
        try c.start()
        defer { c.stop() }
        #expect(c.store.scrape(InfoHash(bytes: torrent)).seeders == 0)
    }
}
