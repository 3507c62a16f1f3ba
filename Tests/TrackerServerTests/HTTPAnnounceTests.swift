import Testing
import TrackerCore
import TrackerProtocol
@testable import TrackerServer

@Suite("HTTP announce and scrape over loopback")
struct HTTPAnnounceTests {
    @Test("an announce returns other peers compactly, never the requester, keys in opentracker's order")
    func announceReturnsOthers() throws {
        let server = try HTTPTestServer()
        let hash = hashBytes(1)
        let first = try server.client().get(announcePath(hash, port: 1111, left: 0))
        #expect(first.status == 200)
        #expect(first.text.hasPrefix("d8:completei1e10:downloadedi0e10:incompletei0e8:intervali"))
        #expect(bencodedString(first.body, key: "peers") == [])
        let second = try server.client().get(announcePath(hash, port: 2222))
        #expect(second.status == 200)
        #expect(second.text.hasPrefix("d8:completei1e10:downloadedi0e10:incompletei1e8:intervali"))
        #expect(bencodedString(second.body, key: "peers") == [127, 0, 0, 1, 0x04, 0x57])  // 127.0.0.1:1111
        let interval = second.text.split(separator: "8:intervali").last?.prefix { $0.isNumber }
        #expect(interval.flatMap { Int($0) }.map { (1620...1980).contains($0) } == true)
    }

    @Test("a binary info_hash round-trips through percent-encoding into the store")
    func binaryHash() throws {
        let server = try HTTPTestServer()
        let hash: [UInt8] = [0x00, 0x25, 0x26, 0x3D, 0x2B, 0x3F, 0xFF, 0x80] + (0..<12).map { UInt8($0) }
        _ = try server.client().get(announcePath(hash, port: 3000, left: 0))
        #expect(server.store.scrape(InfoHash(bytes: hash)) == ScrapeCounts(seeders: 1, leechers: 0, downloaded: 0))
    }

    @Test("a missing or short info_hash is a bencoded failure reason with HTTP 200")
    func failureReasons() throws {
        let server = try HTTPTestServer()
        let missing = try server.client().get("/announce?port=1")
        #expect(missing.status == 200)
        #expect(missing.text == "d14:failure reason80:Your client forgot to send your torrent's info_hash. Please upgrade your client.e")
        let short = try server.client().get("/announce?info_hash=%01%02&port=1")
        #expect(short.status == 200)
        #expect(short.text.hasPrefix("d14:failure reason"))
    }

    @Test("malformed announces, non-GET methods and unknown paths get 400 or 404")
    func badRequests() throws {
        let server = try HTTPTestServer()
        #expect(try server.client().get(announcePath(hashBytes(2), port: 70000)).status == 400)
        #expect(try server.client().get("/announce?info_hash=%zz").status == 400)
        #expect(try server.client().get(announcePath(hashBytes(2), port: 1, extra: "&numwant=many")).status == 400)
        let client = try server.client()
        client.send("POST /announce HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().status == 400)
        let notFound = try server.client().get("/favicon.ico")
        #expect(notFound.status == 404)
        #expect(notFound.text == "<title>404 Not Found</title>\n")
        #expect(try server.client().get("/").status == 404)
    }

    @Test("the root redirects when a redirect URL is configured")
    func redirect() throws {
        let server = try HTTPTestServer { $0.redirectURL = "https://example.org/" }
        let response = try server.client().get("/")
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://example.org/")
    }

    @Test("announce aliases /announce.php and /a work, compact=0 gives dictionaries")
    func aliasesAndDictionaryForm() throws {
        let server = try HTTPTestServer()
        let hash = hashBytes(3)
        _ = try server.client().get(announcePath(hash, port: 4000, left: 0).replacingOccurrences(of: "/announce", with: "/a"))
        let response = try server.client().get(
            announcePath(hash, port: 4001).replacingOccurrences(of: "/announce", with: "/announce.php")
                .replacingOccurrences(of: "compact=1", with: "compact=0"))
        #expect(response.status == 200)
        #expect(response.text.hasSuffix("5:peersld2:ip9:127.0.0.14:porti4000eeee"))
    }

    @Test("scrape answers a files dictionary for known hashes, and 400 without a hash")
    func scrape() throws {
        let server = try HTTPTestServer()
        let known = hashBytes(4)
        _ = try server.client().get(announcePath(known, port: 5000, left: 0))
        _ = try server.client().get(announcePath(known, port: 5001, left: 9))
        let response = try server.client().get(
            "/scrape?info_hash=\(percentEncoded(known))&info_hash=\(percentEncoded(hashBytes(99)))")
        #expect(response.status == 200)
        #expect(response.body == Array("d5:filesd20:".utf8) + known + Array("d8:completei1e10:downloadedi0e10:incompletei1eeee".utf8))
        #expect(try server.client().get("/scrape.php?info_hash=abc").status == 400)
        #expect(try server.client().get("/sc?port=1").status == 400)
    }

    @Test("stopped removes the peer and completed counts a download")
    func events() throws {
        let server = try HTTPTestServer()
        let hash = hashBytes(5)
        _ = try server.client().get(announcePath(hash, port: 6000, left: 5))
        _ = try server.client().get(announcePath(hash, port: 6000, left: 0, extra: "&event=completed"))
        #expect(server.store.scrape(InfoHash(bytes: hash)) == ScrapeCounts(seeders: 1, leechers: 0, downloaded: 1))
        let stopped = try server.client().get(announcePath(hash, port: 6000, left: 0, extra: "&event=stopped"))
        #expect(stopped.text.hasPrefix("d8:completei0e10:incompletei0e8:intervali"))
        #expect(server.store.scrape(InfoHash(bytes: hash)).seeders == 0)
    }

    @Test("an IPv6 requester over ::1 gets 18-byte peers in peers6")
    func ipv6Peers() throws {
        let server = try HTTPTestServer(listeners: ["[::1]:0"])
        let hash = hashBytes(6)
        _ = try server.client().get(announcePath(hash, port: 7000, left: 0))
        let response = try server.client().get(announcePath(hash, port: 7001))
        #expect(response.status == 200)
        #expect(bencodedString(response.body, key: "peers") == [])
        #expect(bencodedString(response.body, key: "peers6") == [UInt8](repeating: 0, count: 15) + [1, 0x1B, 0x58])
    }

    @Test("X-Forwarded-For and ip= are believed only from a trusted proxy")
    func forwardedFor() throws {
        let hash = hashBytes(7)
        let untrusted = try HTTPTestServer()
        _ = try untrusted.client().get(announcePath(hash, port: 8000, left: 0), headers: ["X-Forwarded-For: 10.9.8.7, 1.1.1.1"])
        _ = try untrusted.client().get(announcePath(hash, port: 8001, left: 0, extra: "&ip=10.1.1.1"))
        let seen = try untrusted.client().get(announcePath(hash, port: 8002))
        let peers = bencodedString(seen.body, key: "peers") ?? []
        #expect(Set(stride(from: 0, to: peers.count, by: 6).map { Array(peers[$0..<($0 + 4)]) }) == [[127, 0, 0, 1]])

        let trusted = try HTTPTestServer { $0.trustedProxy = { _ in true } }
        _ = try trusted.client().get(announcePath(hash, port: 8000, left: 0), headers: ["X-Forwarded-For: 10.9.8.7, 1.1.1.1"])
        _ = try trusted.client().get(announcePath(hash, port: 8001, left: 0, extra: "&ip=10.1.1.1"))
        let trustedSeen = try trusted.client().get(announcePath(hash, port: 8002))
        let trustedPeers = bencodedString(trustedSeen.body, key: "peers") ?? []
        let addresses = Set(stride(from: 0, to: trustedPeers.count, by: 6).map { Array(trustedPeers[$0..<($0 + 4)]) })
        #expect(addresses == [[10, 9, 8, 7], [10, 1, 1, 1]])
    }

    /// The peers (IPv4 address bytes) an announce for `hash` now returns.
    func peerAddresses(_ server: HTTPTestServer, _ hash: [UInt8]) throws -> Set<[UInt8]> {
        let peers = bencodedString(try server.client().get(announcePath(hash, port: 9999)).body, key: "peers") ?? []
        return Set(stride(from: 0, to: peers.count, by: 6).map { Array(peers[$0..<($0 + 4)]) })
    }

    /// A front behind one trusted proxy network (127.0.0.0/8, where the test client connects from).
    func behindLoopbackProxy() throws -> HTTPTestServer {
        try HTTPTestServer {
            $0.trustedProxy = HTTPConfiguration.isLoopback
            $0.statsAllowed = HTTPConfiguration.isLoopback
            $0.fullScrapeInterval = 300
        }
    }

    @Test("behind an appending proxy the client is the right-most untrusted X-Forwarded-For address")
    func forwardedForRightMostUntrusted() throws {
        let server = try behindLoopbackProxy()
        let hash = hashBytes(8)
        // nginx appends the real client (198.51.100.7) to what the client sent (a spoofed 203.0.113.9).
        _ = try server.client().get(announcePath(hash, port: 8000, left: 0), headers: ["X-Forwarded-For: 203.0.113.9, 198.51.100.7"])
        // Several headers are one list, in order.
        _ = try server.client().get(
            announcePath(hash, port: 8001, left: 0),
            headers: ["X-Forwarded-For: 203.0.113.10", "x-forwarded-for: 198.51.100.8"])
        // Two trusted proxies in a row: 127.0.0.5 forwarded the client to the proxy at 127.0.0.1.
        _ = try server.client().get(announcePath(hash, port: 8002, left: 0), headers: ["X-Forwarded-For: 198.51.100.9, 127.0.0.5"])
        // An unparsable hop stops the walk at the last trusted one (here the TCP peer itself).
        _ = try server.client().get(announcePath(hash, port: 8003, left: 0), headers: ["X-Forwarded-For: 198.51.100.10, bogus"])
        #expect(try peerAddresses(server, hash) == [[198, 51, 100, 7], [198, 51, 100, 8], [198, 51, 100, 9], [127, 0, 0, 1]])
    }

    @Test("a spoofed X-Forwarded-For: 127.0.0.1 through a trusted proxy reads no stats or metrics")
    func forwardedForCannotReachStats() throws {
        let server = try behindLoopbackProxy()
        for path in ["/stats", "/metrics"] {
            let spoofed = try server.client().get(path, headers: ["X-Forwarded-For: 127.0.0.1, 198.51.100.7"])
            #expect(spoofed.status == 403, "\(path)")
            // The proxy's own request (no header) is the operator on the box.
            #expect(try server.client().get(path).status == 200, "\(path)")
        }
    }

    @Test("a spoofed X-Forwarded-For: 127.0.0.1 through a trusted proxy does not skip the full-scrape limit")
    func forwardedForCannotSkipFullScrapeLimit() throws {
        let server = try behindLoopbackProxy()
        let headers = ["X-Forwarded-For: 127.0.0.1, 198.51.100.7"]
        #expect(try server.client().get("/scrape", headers: headers).status == 200)
        #expect(try server.client().get("/scrape", headers: headers).status == 429)
        // Another real client behind the same proxy has its own allowance.
        #expect(try server.client().get("/scrape", headers: ["X-Forwarded-For: 127.0.0.1, 198.51.100.8"]).status == 200)
    }

    @Test("an untrusted peer's X-Forwarded-For is ignored whatever it says")
    func untrustedForwardedForIgnored() throws {
        let server = try HTTPTestServer { $0.trustedProxy = { _ in false } }
        let hash = hashBytes(9)
        _ = try server.client().get(announcePath(hash, port: 8000, left: 0), headers: ["X-Forwarded-For: 198.51.100.7"])
        #expect(try peerAddresses(server, hash) == [[127, 0, 0, 1]])
        #expect(try server.client().get("/stats", headers: ["X-Forwarded-For: 198.51.100.7"]).status == 200)
    }

    @Test("a whitelist refuses other torrents with opentracker's failure reason and follows reloads")
    func whitelist() throws {
        let listed = hashBytes(40)
        let other = hashBytes(41)
        let policy = AccessPolicy(mode: .whitelist, list: AccessList(infoHashes: [InfoHash(bytes: listed)]))
        let server = try HTTPTestServer(access: policy)
        #expect(try server.client().get(announcePath(listed, port: 1, left: 0)).text.hasPrefix("d8:complete"))
        let denied = try server.client().get(announcePath(other, port: 1, left: 0))
        #expect(denied.status == 200)
        #expect(denied.text == "d14:failure reason63:Requested download is not authorized for use with this tracker.e")
        #expect(server.store.scrape(InfoHash(bytes: other)) == .zero)
        policy.replace(with: AccessList(infoHashes: [InfoHash(bytes: listed), InfoHash(bytes: other)]))
        #expect(try server.client().get(announcePath(other, port: 1, left: 0)).text.hasPrefix("d8:complete"))
        #expect(server.front.loopStatistics.total(.announce, .denied) == 1)
    }
}
