import Foundation
import Glibc
import Testing
import TrackerCore
import TrackerProtocol
@testable import TrackerServer

@Suite("HTTP connections and limits")
struct HTTPConnectionTests {
    @Test("keep-alive serves sequential requests and two pipelined requests in one write come back in order")
    func pipelining() throws {
        let server = try HTTPTestServer()
        let client = try server.client()
        #expect(try client.get("/favicon.ico", keepAlive: true).status == 404)
        let first = announcePath(hashBytes(10), port: 1, left: 0)
        let second = "/scrape?info_hash=\(percentEncoded(hashBytes(10)))"
        client.send("GET \(first) HTTP/1.1\r\nHost: x\r\n\r\nGET \(second) HTTP/1.1\r\nHost: x\r\n\r\n")
        let one = try client.readResponse()
        let two = try client.readResponse()
        #expect(one.status == 200 && one.text.hasPrefix("d8:complete"))
        #expect(two.status == 200 && two.text.hasPrefix("d5:files"))
        #expect(one.header("Connection") == nil)
    }

    @Test("a malformed request gets 400 and the connection is closed, after the answers before it")
    func malformedRequest() throws {
        let server = try HTTPTestServer()
        let client = try server.client()
        client.send("GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nBad Header\r\n\r\n")
        #expect(try client.readResponse().status == 404)
        let bad = try client.readResponse()
        #expect(bad.status == 400 && bad.header("Connection") == "close")
        #expect(client.waitForClose())
        #expect(server.front.loopStatistics.total(.malformed) == 1)
        let metrics = try server.client().get("/metrics").text
        #expect(metrics.contains(#"ringtracker_http_connections_total{event="malformed_request"} 1"#))
    }

    @Test("Connection: close and HTTP/1.0 close after the response; requests pipelined after it get none")
    func closingRequests() throws {
        let server = try HTTPTestServer()
        let client = try server.client()
        client.send("GET /favicon.ico HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n")
        let closed = try client.readResponse()
        #expect(closed.status == 404 && closed.header("Connection") == "close")
        #expect(client.waitForClose())

        let old = try server.client()
        old.send("GET /favicon.ico HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse().header("Connection") == "close")
        #expect(old.waitForClose())

        let kept = try server.client()
        kept.send("GET /favicon.ico HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().header("Connection") == "keep-alive")
        kept.send("GET /favicon.ico HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().status == 404)
    }

    @Test("a request head over the limit gets 431 and the connection is closed")
    func headLimit() throws {
        let server = try HTTPTestServer { $0.maxHeadBytes = 1024 }
        let client = try server.client()
        let response = try client.get("/announce?x=\(String(repeating: "a", count: 2000))")
        #expect(response.status == 431)
        #expect(client.waitForClose())
        #expect(server.front.loopStatistics.total(.other, .headTooLarge) == 1)
        // A head just under the limit is still served.
        #expect(try server.client().get("/favicon.ico", headers: ["X-Pad: \(String(repeating: "b", count: 700))"]).status == 404)
    }

    @Test("connections over the limit are closed at once while existing ones keep working")
    func connectionLimit() throws {
        let server = try HTTPTestServer { $0.maxConnections = 2 }
        let first = try server.client()
        let second = try server.client()
        // Make sure both are accepted and counted before the third arrives.
        #expect(try first.get("/favicon.ico", keepAlive: true).status == 404)
        #expect(try second.get("/favicon.ico", keepAlive: true).status == 404)
        let third = try server.client()
        #expect(third.waitForClose())
        #expect(try first.get("/favicon.ico", keepAlive: true).status == 404)
        #expect(server.front.loopStatistics.total(.rejectedOverLimit) == 1)
    }

    @Test("an idle connection is closed after the idle timeout")
    func idleTimeout() throws {
        let server = try HTTPTestServer { $0.idleTimeout = 1 }
        let client = try server.client()
        client.send("GET /annou")  // a slow client that never finishes its head
        #expect(client.waitForClose())
        #expect(server.front.loopStatistics.total(.idleTimeout) == 1)
        // A connection that keeps talking is not closed: each request is activity.
        let busy = try server.client()
        for _ in 0..<6 {
            #expect(try busy.get("/favicon.ico", keepAlive: true).status == 404)
            usleep(300_000)
        }
        #expect(server.front.loopStatistics.total(.idleTimeout) == 1)
    }

    @Test("start fails with the listener in the message when the port is taken")
    func bindFailure() throws {
        let server = try HTTPTestServer()
        let front = HTTPFront(
            configuration: HTTPConfiguration(listeners: [server.address], pinEventLoops: false), store: server.store,
            statistics: TrackerStatisticsSource(), logger: .init(label: "t"))
        do {
            _ = try front.start()
            Issue.record("second bind succeeded")
            front.stop()
        } catch {
            #expect(error.description.hasPrefix("bind tcp \(server.address): "))
        }
    }

    @Test("a front bound without accepting serves nothing until told to accept (the daemon drops privileges in between)")
    func acceptOnlyAfterStartAccepting() throws {
        let front = HTTPFront(
            configuration: HTTPConfiguration(listeners: ["127.0.0.1:0"], pinEventLoops: false),
            store: TorrentStore(configuration: TrackerConfiguration(shardCount: 16)),
            statistics: TrackerStatisticsSource(), logger: .init(label: "t"))
        let address = try #require(try front.start(acceptImmediately: false).first)
        defer { front.stop() }
        // The kernel completes the handshake into the backlog, but nobody reads the request.
        let early = try HTTPTestClient(address: address, timeoutSeconds: 1)
        #expect(throws: HTTPTestError.self) { try early.get("/stats") }
        #expect(front.loopStatistics.total(.accepted) == 0)
        front.startAccepting()
        #expect(try HTTPTestClient(address: address).get("/stats").status == 200)
        #expect(front.loopStatistics.total(.accepted) >= 1)
    }

    @Test("an HTTP-only tracker runs no UDP worker")
    func httpOnlyHasNoUDPWorkers() throws {
        var configuration = ServerConfiguration(udpListeners: [], cpus: [0, 0], pinWorkers: false, backend: .mmsg)
        configuration.http.listeners = ["127.0.0.1:0"]
        let service = TrackerService(configuration: configuration, logger: .init(label: "t"))
        try service.start()
        defer { service.stop() }
        #expect(service.udpWorkerCount == 0)
        #expect(try HTTPTestClient(address: #require(service.httpAddresses.first)).get("/stats").status == 200)
    }

    @Test("a head of exactly the limit is served and one byte more is refused with 431")
    func headLimitIsExact() throws {
        let server = try HTTPTestServer { $0.maxHeadBytes = 8192 }
        func head(_ total: Int) -> String {
            let start = "GET /stats HTTP/1.1\r\nHost: t\r\nX-Pad: "
            let end = "\r\n\r\n"
            return start + String(repeating: "a", count: total - start.utf8.count - end.utf8.count) + end
        }
        let exact = try server.client()
        exact.send(head(8192))
        #expect(try exact.readResponse().status == 200)
        let over = try server.client()
        over.send(head(8193))
        #expect(try over.readResponse().status == 431)
    }

    @Test("a client trickling a request head is closed after the head timeout although every byte resets the idle timer")
    func slowHeadIsClosed() throws {
        let server = try HTTPTestServer {
            $0.headTimeout = 1
            $0.idleTimeout = 30
        }
        let slow = try server.client()
        let patient = try server.client()
        let start = Date()
        var closed = false
        // One byte every 200 ms: far inside the idle timeout, never finishing the head.
        for byte in "GET /stats HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 where !closed {
            slow.send([byte])
            usleep(200_000)
            closed = slow.isClosedByPeer()
            if Date().timeIntervalSince(start) > 12 { break }
        }
        #expect(closed, "the trickling client was not closed")
        // The head deadline is 1 s, so it closes a little after that, while the idle timeout
        // alone (30 s, reset by every byte) would never close it. The bound leaves room for a
        // loaded machine or a sanitizer build; the counter below names the cause.
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(server.front.loopStatistics.total(.headTimeout) >= 1)
        // A connection that is merely idle between requests is not a slow head.
        #expect(try patient.get("/stats", keepAlive: true).status == 200)
    }

    @Test("many connections from many addresses hit the per-address cap, and a fresh client is still served")
    func perAddressCapKeepsRoomForOthers() throws {
        let server = try HTTPTestServer {
            $0.maxConnections = 250
            $0.maxConnectionsPerAddress = 4
        }
        var held: [HTTPTestClient] = []
        for address in 1...50 {
            for _ in 0..<6 { held.append(try HTTPTestClient(address: server.address, source: "127.0.1.\(address)")) }
        }
        // The server closes the two extra connections of each address at once: wait until it has.
        var rejected: UInt64 = 0
        for _ in 0..<100 where rejected < 100 {
            rejected = server.front.loopStatistics.total(.rejectedPerAddress)
            if rejected < 100 { usleep(20_000) }
        }
        #expect(rejected == 100)
        #expect(server.front.loopStatistics.total(.rejectedOverLimit) == 0)
        let fresh = try HTTPTestClient(address: server.address, source: "127.0.2.1")
        #expect(try fresh.get("/stats").status == 200)
        held.removeAll()
    }

    @Test("HTTP/1.1 without Host is answered 400; HTTP/1.0 without Host is served")
    func hostRequiredForHTTP11() throws {
        let server = try HTTPTestServer()
        let missing = try server.client()
        missing.send("GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(try missing.readResponse().status == 400)
        let old = try server.client()
        old.send("GET /stats HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse().status == 200)
        #expect(server.front.loopStatistics.total(.missingHost) == 1)
    }

    @Test("the full-scrape limiter admits once per interval per network and stays bounded whatever the address count")
    func fullScrapeLimiterBounded() {
        let limiter = HTTPFullScrapeLimiter(interval: 60, capacity: 1000)
        let start: UInt32 = 1_000_000
        let client = PeerAddress.v4(IPv4Address(198, 51, 100, 7))
        #expect(limiter.admit(client, now: start) == nil)
        #expect(limiter.admit(client, now: start + 59) == 1)
        #expect(limiter.admit(client, now: start + 60) == nil)
        // Another address of the same IPv6 /64 is the same client network.
        let six = PeerAddress.v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 1))
        #expect(limiter.admit(six, now: start + 60) == nil)
        #expect(limiter.admit(.v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 2)), now: start + 61) != nil)
        // 100,000 fresh addresses in one interval: at most `capacity` are remembered per generation,
        // the rest wait for the next one.
        var admitted = 0
        for index in 0..<100_000 where limiter.admit(.v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32(index))), now: start + 90) == nil {
            admitted += 1
        }
        #expect(admitted == 1000 - 2)
        #expect(limiter.rememberedNetworks <= 2 * 1000)
        // Two intervals on, everything is forgotten.
        #expect(limiter.admit(client, now: start + 300) == nil)
        #expect(limiter.rememberedNetworks == 1)
    }

    @Test("configured networks become the stats and proxy predicates")
    func networkPredicates() throws {
        let loopback = HTTPConfiguration.addresses(in: [.ipv4Loopback, .ipv6Loopback])
        #expect(loopback(.v4(IPv4Address(127, 0, 0, 9))))
        #expect(!loopback(.v4(IPv4Address(10, 0, 0, 1))))
        #expect(loopback(.v6(IPv6Address(high: 0, low: 1))))
        let tenNet = try #require(CIDR("10.0.0.0/8"))
        let server = try HTTPTestServer { $0.statsAllowed = HTTPConfiguration.addresses(in: [tenNet]) }
        #expect(try server.client().get("/stats").status == 403)
    }
}
