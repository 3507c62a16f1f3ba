#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

/// Behaviour both backends must show; each backend's suite runs every scenario.
enum EngineScenarios {
    static func configuration(_ backend: IOBackend, bufferCount: Int = 256) -> WorkerEngineConfiguration {
        WorkerEngineConfiguration(backend: backend, bufferCount: bufferCount, sendSlots: 256)
    }

    static func echoes(_ backend: IOBackend, over addressText: String) throws {
        let server = try UDPSocket.bind(try SocketAddress(parsing: addressText), reusePort: true)
        let address = try server.localAddress()
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration(backend))
        let client = TestClient(family: address.family)
        let message = Array("hello over \(addressText)".utf8)
        #expect(client.send(message, to: address))
        #expect(client.receive() == message)
        engine.finish()
        #expect(engine.failure.value == nil)
    }

    static func roundTrips(_ backend: IOBackend, count: Int = 2000, window: Int = 50) throws {
        let server = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let address = try server.localAddress()
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration(backend))
        let client = TestClient(family: address.family)
        var matched = 0
        var sequence = 0
        while sequence < count {
            let end = min(sequence + window, count)
            var expected = [[UInt8]: Int]()
            for next in sequence..<end {
                let payload = testPayload(next)
                expected[payload, default: 0] += 1
                #expect(client.send(payload, to: address))
            }
            for _ in sequence..<end {
                guard let reply = client.receive() else { break }
                if let left = expected[reply], left > 0 {
                    expected[reply] = left - 1
                    matched += 1
                }
            }
            sequence = end
        }
        #expect(matched == count)
        let counts = engine.waitForCounters { $0.sent >= UInt64(count) }
        #expect(counts.received == UInt64(count))
        #expect(counts.sent == UInt64(count))
        #expect(counts.sendErrors == 0)
        engine.finish()
        #expect(engine.failure.value == nil)
    }

    static func silentHandlerSendsNothing(_ backend: IOBackend) throws {
        let server = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let address = try server.localAddress()
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration(backend))
        let client = TestClient(family: address.family)
        for index in 0..<5 {
            #expect(client.send([EchoHandler.silentMarker, UInt8(index)], to: address))
        }
        let marker = Array("answered".utf8)
        #expect(client.send(marker, to: address))
        // Datagrams on one socket are handled in order, so by the time the marker's reply arrives
        // the five silent ones have been handled; any reply to them would have arrived first.
        #expect(client.receive() == marker)
        #expect(!client.hasPendingDatagram)
        let counts = engine.waitForCounters { $0.received >= 6 && $0.sent >= 1 }
        #expect(counts.received == 6)
        #expect(counts.sent == 1)
        engine.finish()
    }

    static func stopsPromptly(_ backend: IOBackend) throws {
        let server = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration(backend))
        // Wait until the loop has turned at least once (its tick) so stop hits a running engine.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while engine.ticks.value.load(ordering: .relaxed) == 0 && clock.now < deadline {
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
        #expect(engine.ticks.value.load(ordering: .relaxed) > 0)
        let elapsed = engine.finish()
        #expect(elapsed < .seconds(1))
        #expect(engine.failure.value == nil)
    }

    /// One engine serving an IPv4 and an IPv6 socket, as a worker does.
    static func servesBothFamilies(_ backend: IOBackend) throws {
        let v4 = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let v6 = try UDPSocket.bind(try SocketAddress(parsing: "[::1]:0"), reusePort: true)
        let addresses = [try v4.localAddress(), try v6.localAddress()]
        let engine = try RunningEngine(sockets: [v4.fileDescriptor, v6.fileDescriptor], configuration: configuration(backend))
        for round in 0..<3 {
            for address in addresses {
                let client = TestClient(family: address.family)
                let message = Array("round \(round) to \(address)".utf8)
                #expect(client.send(message, to: address))
                #expect(client.receive() == message)
            }
        }
        engine.finish()
        #expect(engine.failure.value == nil)
    }

    /// A datagram larger than a receive buffer is counted as truncated and not answered.
    static func dropsOversizedDatagrams(_ backend: IOBackend) throws {
        let server = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let address = try server.localAddress()
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration(backend))
        let client = TestClient(family: address.family)
        #expect(client.send([UInt8](repeating: 0x52, count: 3000), to: address))
        let small = Array("small".utf8)
        #expect(client.send(small, to: address))
        #expect(client.receive() == small)
        #expect(!client.hasPendingDatagram)
        let counts = engine.waitForCounters { $0.truncated >= 1 && $0.sent >= 1 }
        #expect(counts.truncated == 1)
        #expect(counts.received == 1)
        engine.finish()
    }

    /// Four clients' datagrams queued before the engine starts, so one receive batch holds them
    /// all, with unanswered ones between answered ones: every reply goes to its own request's
    /// source (the mmsg engine sends each reply to the received name of its request, so a reply
    /// index that drifted from the request index would send to the wrong client).
    static func repliesReachTheirOwnSources(_ backend: IOBackend) throws {
        let server = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let address = try server.localAddress()
        let clients = (0..<4).map { _ in TestClient(family: address.family) }
        var expected = [[[UInt8]]](repeating: [], count: clients.count)
        for round in 0..<8 {
            for (index, client) in clients.enumerated() {
                if (round + index) % 3 == 0 {
                    #expect(client.send([EchoHandler.silentMarker, UInt8(index), UInt8(round)], to: address))
                } else {
                    let message = Array("client \(index) round \(round)".utf8)
                    expected[index].append(message)
                    #expect(client.send(message, to: address))
                }
            }
        }
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration(backend))
        for (index, client) in clients.enumerated() {
            var received: [[UInt8]] = []
            for _ in expected[index] {
                guard let reply = client.receive() else { break }
                received.append(reply)
            }
            #expect(received == expected[index], "client \(index)")
        }
        let answered = UInt64(expected.map(\.count).reduce(0, +))
        // io_uring counts a send at its completion, which may come after the client has the reply.
        let counts = engine.waitForCounters { $0.received >= 32 && $0.sent >= answered }
        #expect(counts.received == 32)
        #expect(counts.sent == answered)
        for client in clients { #expect(!client.hasPendingDatagram) }
        engine.finish()
        #expect(engine.failure.value == nil)
    }

    /// Queues a burst before the engine starts, so a tiny buffer ring must run dry and re-arm.
    static func survivesBufferExhaustion(_ backend: IOBackend, burst: Int = 200) throws -> EngineCounts {
        let server = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let address = try server.localAddress()
        let client = TestClient(family: address.family)
        for sequence in 0..<burst {
            #expect(client.send(testPayload(sequence), to: address))
        }
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration(backend, bufferCount: 8))
        var replies = Set<[UInt8]>()
        for _ in 0..<burst {
            guard let reply = client.receive() else { break }
            replies.insert(reply)
        }
        #expect(replies.count == burst)
        #expect(replies.isSubset(of: Set((0..<burst).map(testPayload))))
        let after = Array("still serving".utf8)
        #expect(client.send(after, to: address))
        #expect(client.receive() == after)
        let counts = engine.waitForCounters { $0.sent >= UInt64(burst + 1) }
        engine.finish()
        #expect(engine.failure.value == nil)
        return counts
    }
}

@Suite("mmsg engine")
struct MMsgEngineTests {
    @Test("A descriptor that is not a socket stops the engine with ENOTSOCK")
    func badSocket() throws { try EngineScenarios.failsOnBadSocket(.mmsg) }

    @Test("One engine serves an IPv4 and an IPv6 socket together")
    func bothFamilies() throws { try EngineScenarios.servesBothFamilies(.mmsg) }

    @Test("A datagram larger than the receive buffer is counted as truncated and not answered")
    func oversized() throws { try EngineScenarios.dropsOversizedDatagrams(.mmsg) }

    @Test("An echo handler answers a datagram over 127.0.0.1")
    func echoIPv4() throws { try EngineScenarios.echoes(.mmsg, over: "127.0.0.1:0") }

    @Test("An echo handler answers a datagram over ::1")
    func echoIPv6() throws { try EngineScenarios.echoes(.mmsg, over: "[::1]:0") }

    @Test("2,000 datagrams come back with their own payloads")
    func roundTrips() throws { try EngineScenarios.roundTrips(.mmsg) }

    @Test("A handler returning 0 sends nothing")
    func silent() throws { try EngineScenarios.silentHandlerSendsNothing(.mmsg) }

    @Test("The engine stops within one second of the stop signal")
    func stops() throws { try EngineScenarios.stopsPromptly(.mmsg) }

    @Test("A burst larger than the buffers is fully answered and the engine keeps serving")
    func burst() throws { _ = try EngineScenarios.survivesBufferExhaustion(.mmsg) }

    @Test("In a batch with unanswered datagrams between answered ones, every reply reaches its own source")
    func ownSources() throws { try EngineScenarios.repliesReachTheirOwnSources(.mmsg) }
}

@Suite("io_uring engine", .enabled(if: IOProbe.isIOUringAvailable, "io_uring is unavailable here (see IOProbe.ioUring())"))
struct UringEngineTests {
    @Test("A descriptor that is not a socket stops the engine with ENOTSOCK")
    func badSocket() throws { try EngineScenarios.failsOnBadSocket(.ioUring) }

    @Test("One engine serves an IPv4 and an IPv6 socket together")
    func bothFamilies() throws { try EngineScenarios.servesBothFamilies(.ioUring) }

    @Test("In a batch with unanswered datagrams between answered ones, every reply reaches its own source")
    func ownSources() throws { try EngineScenarios.repliesReachTheirOwnSources(.ioUring) }

    @Test("A datagram larger than the receive buffer is counted as truncated and not answered")
    func oversized() throws { try EngineScenarios.dropsOversizedDatagrams(.ioUring) }

    @Test("An echo handler answers a datagram over 127.0.0.1")
    func echoIPv4() throws { try EngineScenarios.echoes(.ioUring, over: "127.0.0.1:0") }

    @Test("An echo handler answers a datagram over ::1")
    func echoIPv6() throws { try EngineScenarios.echoes(.ioUring, over: "[::1]:0") }

    @Test("2,000 datagrams come back with their own payloads")
    func roundTrips() throws { try EngineScenarios.roundTrips(.ioUring) }

    @Test("A handler returning 0 sends nothing")
    func silent() throws { try EngineScenarios.silentHandlerSendsNothing(.ioUring) }

    @Test("The engine stops within one second of the stop signal")
    func stops() throws { try EngineScenarios.stopsPromptly(.ioUring) }

    @Test("An 8-buffer ring runs dry on a 200-datagram burst, re-arms, answers all and keeps serving")
    func exhaustion() throws {
        let counts = try EngineScenarios.survivesBufferExhaustion(.ioUring)
        #expect(counts.enobufs > 0)
        #expect(counts.rearms > 0)
    }

    @Test("With 4 send slots a queued burst drops what it cannot answer, counts it, and keeps serving")
    func slotExhaustion() throws {
        let server = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: true)
        let address = try server.localAddress()
        let client = TestClient(family: address.family)
        let burst = 100
        for sequence in 0..<burst {
            #expect(client.send(testPayload(sequence), to: address))
        }
        let configuration = WorkerEngineConfiguration(backend: .ioUring, bufferCount: 64, sendSlots: 4)
        let engine = try RunningEngine(sockets: [server.fileDescriptor], configuration: configuration)
        let counts = engine.waitForCounters { $0.received >= UInt64(burst) }
        #expect(counts.received == UInt64(burst))
        #expect(counts.noSlotDrops > 0)
        var replies = 0
        while client.receive(timeoutMilliseconds: 0) != nil { replies += 1 }
        let settled = engine.waitForCounters { $0.sent + $0.noSlotDrops >= UInt64(burst) }
        while client.receive(timeoutMilliseconds: 0) != nil { replies += 1 }
        #expect(UInt64(replies) == settled.sent)
        #expect(settled.sent + settled.noSlotDrops == UInt64(burst))
        let after = Array("still serving".utf8)
        #expect(client.send(after, to: address))
        #expect(client.receive() == after)
        engine.finish()
        #expect(engine.failure.value == nil)
    }

    @Test("The probe succeeds with a real multishot round trip")
    func probe() {
        if case .failure(let failure) = IOProbe.ioUring() {
            Issue.record("probe failed: \(failure)")
        }
    }
}

extension EngineScenarios {
    /// A descriptor that is not a socket ends the run with a SystemError instead of spinning.
    static func failsOnBadSocket(_ backend: IOBackend) throws {
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        let engine = try RunningEngine(sockets: [pipeEnds[0]], configuration: configuration(backend))
        // Bounded wait: the run must end on its own (the error), long before the deadline.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while engine.failure.value == nil && clock.now < deadline {
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
        #expect(engine.failure.value?.errno == ENOTSOCK)
        engine.finish()
    }
}
