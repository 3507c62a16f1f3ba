import Glibc
import Logging
import Testing
import TrackerServer

/// Clients behind NAT or a stateful firewall drop a reply that comes from another address than the
/// one they sent to, so a wildcard listener must answer from the request's destination address.
@Suite("UDP replies leave from the address the request was sent to")
struct UDPReplySourceTests {
    func withWildcardTracker(
        _ listener: String, backend: ServerConfiguration.BackendChoice, layout: WorkerLayout,
        _ body: (_ port: UInt16) throws -> Void
    ) throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let configuration = ServerConfiguration(
            udpListeners: [listener], cpus: layout.cpus, pinWorkers: layout.pinned, backend: backend)
        let service = TrackerService(configuration: configuration, logger: logger)
        try service.start()
        defer { service.stop() }
        try body(try #require(service.udpAddresses.first).port)
    }

    @Test("A 0.0.0.0 listener answers requests to 127.0.0.2 and 127.0.0.3 from those addresses",
          arguments: availableBackends, WorkerLayout.allCases)
    func ipv4Wildcard(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withWildcardTracker("0.0.0.0:0", backend: backend, layout: layout) { port in
            for target in ["127.0.0.2", "127.0.0.3", "127.0.0.1"] {
                // The client sends from 127.0.0.1: without IP_PKTINFO the kernel would pick
                // 127.0.0.1 as the reply's source whatever address the request went to.
                let client = try UDPTestClient(server: target, port: port, source: "127.0.0.1")
                for _ in 0..<3 {  // a connect and an announce, each answered from `target`
                    client.send(Wire.connectRequest(transactionID: 7))
                    let reply = try #require(client.receiveWithSource(), "no reply via \(target)")
                    #expect(reply.source == target && reply.port == port, "reply via \(target) came from \(reply.source)")
                    client.connectionID = Wire.u64(reply.bytes, 8)
                }
                client.send(Wire.announceRequest(
                    connectionID: client.connectionID, transactionID: 8, infoHash: hash(40), left: 0, event: 2,
                    numWant: 5, port: 6881))
                let announce = try #require(client.receiveWithSource())
                #expect(Wire.u32(announce.bytes, 0) == 1 && announce.source == target)
            }
        }
    }

    @Test("A [::] listener answers a request to ::1 from ::1", arguments: availableBackends, WorkerLayout.allCases)
    func ipv6Wildcard(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withWildcardTracker("[::]:0", backend: backend, layout: layout) { port in
            let client = try UDPTestClient(server: "::1", port: port, source: "::1")
            client.send(Wire.connectRequest(transactionID: 9))
            let reply = try #require(client.receiveWithSource())
            #expect(reply.source == "::1" && reply.port == port && reply.bytes.count == 16)
        }
    }
}
