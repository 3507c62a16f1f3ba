import Glibc
import Logging
import Testing
import TrackerCore
import TrackerIO
import TrackerServer

/// Starts a service on loopback port 0 (v4 and v6) with `layout`'s workers and stops it after `body`.
func withTracker(
    backend: ServerConfiguration.BackendChoice, layout: WorkerLayout,
    _ body: (_ port4: UInt16, _ port6: UInt16, _ service: TrackerService) throws -> Void
) throws {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let configuration = ServerConfiguration(
        udpListeners: ["127.0.0.1:0", "[::1]:0"], cpus: layout.cpus, pinWorkers: layout.pinned, backend: backend)
    let service = TrackerService(configuration: configuration, logger: logger)
    try service.start()
    defer { service.stop() }
    let addresses = service.udpAddresses
    try #require(addresses.count == 2)
    try body(addresses[0].port, addresses[1].port, service)
}

func hash(_ seed: UInt8) -> [UInt8] { (0..<20).map { UInt8(truncatingIfNeeded: Int($0) &* 7 &+ Int(seed)) } }

@Suite("UDP tracker end to end over loopback")
struct UDPTrackerEndToEndTests {
    @Test("Two IPv4 peers find each other and a peer never gets itself", arguments: availableBackends, WorkerLayout.allCases)
    func twoPeersSeeEachOther(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port, _, _ in
            let seeder = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.2")
            let leecher = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.3")
            try seeder.connect()
            try leecher.connect()
            let torrent = hash(1)
            let first = try seeder.announce(torrent, port: 6881, left: 0, event: 2)
            #expect(first.seeders == 1 && first.leechers == 0)
            #expect(first.peers.isEmpty, "the only peer must not be sent itself")
            #expect((1620...1980).contains(first.interval))

            let second = try leecher.announce(torrent, port: 6882, left: 1000, event: 2)
            #expect(second.seeders == 1 && second.leechers == 1)
            #expect(second.peers.count == 1)
            #expect(second.peers.first?.0 == [127, 0, 0, 2] && second.peers.first?.1 == 6881)

            let again = try seeder.announce(torrent, port: 6881, left: 0)
            #expect(again.peers.map(\.0) == [[127, 0, 0, 3]] && again.ports == [6882])
        }
    }

    @Test("A connection ID from one socket is honoured on another socket of the same address, not of another",
          arguments: availableBackends, WorkerLayout.allCases)
    func connectionIDSharedAcrossSockets(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port4, port6, _ in
            // libtorrent caches one ID per tracker for the whole process and announces from every
            // session's socket with it; carrier-grade NAT rebinds the port between connect and announce.
            for (torrent, server, port, source) in [(30, "127.0.0.1", port4, "127.0.0.10"), (32, "::1", port6, "::1")] {
                let connecting = try UDPTestClient(server: server, port: port, source: source)
                let announcing = try UDPTestClient(server: server, port: port, source: source)
                #expect(connecting.localPort != announcing.localPort)
                announcing.connectionID = try connecting.connect()
                let reply = try announcing.announce(hash(UInt8(torrent)), port: 6881, left: 0)
                #expect(reply.seeders == 1)
            }
            // Another address with the same ID is still refused: no answer within the timeout.
            let owner = try UDPTestClient(server: "127.0.0.1", port: port4, source: "127.0.0.11")
            let other = try UDPTestClient(
                server: "127.0.0.1", port: port4, source: "127.0.0.12", receiveTimeoutMilliseconds: 300)
            other.connectionID = try owner.connect()
            #expect(throws: TestFailure.self) { try other.announce(hash(31), port: 6881, left: 0) }
        }
    }

    @Test("A stopped peer is removed and gets no peers back", arguments: availableBackends, WorkerLayout.allCases)
    func stoppedRemovesPeer(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port, _, _ in
            let a = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.4")
            let b = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.5")
            try a.connect()
            try b.connect()
            let torrent = hash(2)
            _ = try a.announce(torrent, port: 7001, left: 5)
            _ = try b.announce(torrent, port: 7002, left: 5)
            let stopped = try a.announce(torrent, port: 7001, left: 5, event: 3)
            #expect(stopped.peers.isEmpty)
            #expect(stopped.leechers == 1 && stopped.seeders == 0)
            let after = try b.announce(torrent, port: 7002, left: 5)
            #expect(after.peers.isEmpty, "the stopped peer must be gone")
            #expect(after.leechers == 1)
        }
    }

    @Test("Scrape reports exact seeders, completed and leechers", arguments: availableBackends, WorkerLayout.allCases)
    func scrapeCounts(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port, _, _ in
            let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.6")
            try client.connect()
            let torrent = hash(3)
            _ = try client.announce(torrent, port: 1, left: 0, event: 2)
            _ = try client.announce(torrent, port: 2, left: 10, event: 2)
            _ = try client.announce(torrent, port: 3, left: 10, event: 2)
            _ = try client.announce(torrent, port: 3, left: 0, event: 1)  // completes: now a seeder
            _ = try client.announce(torrent, port: 3, left: 0, event: 1)  // a repeated completed counts once
            let counts = try client.scrape([torrent, hash(99)])
            #expect(counts.count == 2)
            #expect(counts[0].seeders == 2 && counts[0].completed == 1 && counts[0].leechers == 1)
            #expect(counts[1].seeders == 0 && counts[1].completed == 0 && counts[1].leechers == 0)
        }
    }

    @Test("IPv6 peers over ::1 get 18-byte peers and never IPv4 ones", arguments: availableBackends, WorkerLayout.allCases)
    func ipv6Peers(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port4, port6, _ in
            let v6a = try UDPTestClient(server: "::1", port: port6, source: "::1")
            let v6b = try UDPTestClient(server: "::1", port: port6, source: "::1")
            let v4 = try UDPTestClient(server: "127.0.0.1", port: port4, source: "127.0.0.7")
            for client in [v6a, v6b, v4] { try client.connect() }
            let torrent = hash(4)
            _ = try v4.announce(torrent, port: 4000, left: 0)
            _ = try v6a.announce(torrent, port: 6001, left: 0)
            let reply = try v6b.announce(torrent, port: 6002, left: 100)
            #expect(reply.seeders == 2 && reply.leechers == 1, "counts cover both families")
            #expect(reply.peers.count == 1)
            #expect(reply.peers.first?.0 == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
            #expect(reply.ports == [6001])
        }
    }

    @Test("Bad packets and forged connection IDs get no answer and do not stop service", arguments: availableBackends, WorkerLayout.allCases)
    func badPacketsDoNotStopService(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port, _, service in
            let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.8")
            var rng = Xoshiro256(seed: 42)
            for length in 0..<200 {
                client.send((0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            // An announce with a forged connection ID, then a connect: the first reply must be the
            // connect's, proving the announce was dropped rather than answered.
            client.send(Wire.announceRequest(
                connectionID: 0xDEAD_BEEF, transactionID: 77, infoHash: hash(5), left: 0, event: 0, numWant: 10,
                port: 1))
            let id = try client.connect()
            #expect(id != 0)
            let reply = try client.announce(hash(5), port: 9, left: 0)
            #expect(reply.seeders == 1)
            // Counters are published once per loop turn (~100 ms at most when idle): poll, bounded.
            var drops: UInt64 = 0
            for _ in 0..<40 where drops == 0 {
                drops = service.workerStatistics.reduce(0) { $0 + $1.drops(.badConnectionID) }
                if drops == 0 { usleep(50_000) }
            }
            #expect(drops >= 1, "the forged announce is counted as a bad connection ID")
        }
    }

    @Test("A short announce with a valid ID gets an error no larger than the request", arguments: availableBackends, WorkerLayout.allCases)
    func errorReplyIsNotAmplified(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port, _, _ in
            let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.9")
            let id = try client.connect()
            let request = Wire.be(id) + Wire.be(UInt32(1)) + Wire.be(UInt32(5150)) + [1, 2, 3, 4, 5, 6, 7, 8]
            client.send(request)
            let reply = try #require(client.receive())
            #expect(Wire.u32(reply, 0) == 3 && Wire.u32(reply, 4) == 5150)
            #expect(reply.count <= request.count)
        }
    }
}
