import Testing
import TrackerProtocol

/// Percent-encodes every byte, the way libtorrent-style clients send a binary info_hash.
func httpEncoded(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789ABCDEF")
    return bytes.map { "%\(digits[Int($0 >> 4)])\(digits[Int($0 & 0xF)])" }.joined()
}

func query(_ text: String) -> ArraySlice<UInt8> { Array(text.utf8)[...] }

let httpHashBytes: [UInt8] = [0x00, 0x25, 0x26, 0x3D, 0x2B, 0x20, 0xFF, 0x80, 0x41, 0x7A] + (10..<20).map { UInt8($0) }

@Suite("HTTP announce and scrape parsing")
struct HTTPRequestParsingTests {
    @Test("a fully encoded binary info_hash decodes to its 20 bytes")
    func binaryInfoHash() {
        let result = HTTPAnnounceRequest.parse(query: query("info_hash=\(httpEncoded(httpHashBytes))&port=6881&left=0"))
        guard case .request(let request) = result else {
            Issue.record("expected a request, got \(result)")
            return
        }
        #expect(request.infoHash == InfoHash(bytes: httpHashBytes))
        #expect(request.port == 6881)
        #expect(request.isSeeder)
        #expect(request.numWant == 50)
        #expect(request.compact)
    }

    @Test("unreserved bytes may be sent raw and mixed with escapes")
    func mixedEncoding() {
        let bytes = Array("abcdefghij0123456789".utf8)
        let result = HTTPAnnounceRequest.parse(query: query("info_hash=abcde%66ghij0123456789&left=5&port=6881"))
        #expect(result == .request(HTTPAnnounceRequest(infoHash: InfoHash(bytes: bytes), port: 6881, left: 5)))
    }

    @Test("a missing info_hash is a failure reason, not a 400")
    func missingHash() {
        #expect(HTTPAnnounceRequest.parse(query: query("port=1")) == .failure(.missingInfoHash))
        #expect(HTTPAnnounceRequest.parse(query: nil) == .failure(.missingInfoHash))
    }

    @Test("an info_hash of the wrong length is a failure reason")
    func shortHash() {
        #expect(HTTPAnnounceRequest.parse(query: query("info_hash=%01%02")) == .failure(.badInfoHash))
    }

    @Test("malformed values are 400s with a reason")
    func malformed() {
        let hash = "info_hash=\(httpEncoded(httpHashBytes))"
        #expect(HTTPAnnounceRequest.parse(query: query("\(hash)&port=65536")) == .invalid(.badPort))
        #expect(HTTPAnnounceRequest.parse(query: query("\(hash)&port=-1")) == .invalid(.badPort))
        #expect(HTTPAnnounceRequest.parse(query: query("\(hash)&peer_id=short")) == .invalid(.badPeerID))
        #expect(HTTPAnnounceRequest.parse(query: query("\(hash)&numwant=lots")) == .invalid(.badNumWant))
        #expect(HTTPAnnounceRequest.parse(query: query("\(hash)&left=")) == .invalid(.badLeft))
        #expect(HTTPAnnounceRequest.parse(query: query("info_hash=%zz")) == .invalid(.badPercentEncoding))
        #expect(HTTPAnnounceRequest.parse(query: query("info_hash=%4")) == .invalid(.badPercentEncoding))
        #expect(HTTPAnnounceRequest.parse(query: query("\(hash)&\(hash)")) == .invalid(.duplicateInfoHash))
    }

    @Test("a port of 0, or none, is a failure reason: nobody could connect to that peer")
    func portZeroRefused() {
        let hash = "info_hash=\(httpEncoded(httpHashBytes))"
        #expect(HTTPAnnounceRequest.parse(query: query("\(hash)&port=0")) == .failure(.badPort))
        #expect(HTTPAnnounceRequest.parse(query: query(hash)) == .failure(.badPort))
        guard case .request(let request) = HTTPAnnounceRequest.parse(query: query("\(hash)&port=1")) else {
            Issue.record("port 1 refused")
            return
        }
        #expect(request.port == 1)
    }

    @Test("numwant defaults to 50, negative means 50 and it is capped at 200")
    func numWant() {
        let hash = "info_hash=\(httpEncoded(httpHashBytes))&port=6881"
        func wanted(_ suffix: String) -> Int? {
            guard case .request(let request) = HTTPAnnounceRequest.parse(query: query(hash + suffix)) else { return nil }
            return request.numWant
        }
        #expect(wanted("") == 50)
        #expect(wanted("&numwant=-5") == 50)
        #expect(wanted("&numwant=0") == 0)
        #expect(wanted("&numwant=120") == 120)
        #expect(wanted("&numwant=999999999999999999999") == 200)
    }

    @Test("events, compact, no_peer_id, peer_id and ip are read")
    func otherParameters() {
        let peer = Array("-qB4650-abcdefghijkl".utf8)
        let text = "info_hash=\(httpEncoded(httpHashBytes))&port=6881&peer_id=\(httpEncoded(peer))&event=stopped&compact=0"
            + "&no_peer_id=1&ip=10.9.8.7&key=abc&uploaded=5&supportcrypto=1"
        guard case .request(let request) = HTTPAnnounceRequest.parse(query: query(text)) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.peerID == PeerID(bytes: peer))
        #expect(request.event == .stopped)
        #expect(!request.compact)
        #expect(request.noPeerID)
        #expect(request.ip == .v4(0x0A09_0807))
        #expect(request.left == nil && !request.isSeeder)
        for (name, event) in [("completed", AnnounceEvent.completed), ("started", .started), ("paused", .none), ("", .none)] {
            let parsed = HTTPAnnounceRequest.parse(query: query("info_hash=\(httpEncoded(httpHashBytes))&port=1&event=\(name)"))
            guard case .request(let request) = parsed else { Issue.record("no request"); continue }
            #expect(request.event == event)
        }
    }

    @Test("scrape takes up to 64 hashes, sorted and distinct")
    func scrape() {
        let hashes = (0..<70).map { n in [UInt8](repeating: UInt8(69 - n), count: 20) }
        let text = hashes.map { "info_hash=\(httpEncoded($0))" }.joined(separator: "&") + "&info_hash=\(httpEncoded(hashes[0]))"
        guard case .request(let request) = HTTPScrapeRequest.parse(query: query(text)) else {
            Issue.record("expected a scrape")
            return
        }
        #expect(request.infoHashes.count == 64)
        #expect(request.infoHashes == request.infoHashes.sorted())
        #expect(request.infoHashes.last == InfoHash(bytes: hashes[0]))
        #expect(HTTPScrapeRequest.parse(query: nil) == .invalid(.scrapeWithoutHashes))
        #expect(HTTPScrapeRequest.parse(query: query("info_hash=abc")) == .invalid(.scrapeBadInfoHash))
    }

    @Test("random query bytes never trap")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("info_hash=%&0123456789abcdefABCDEF-peer_idportleftnumwantcompactevent".utf8) + [0x00, 0xFF, 0x80]
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<120, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = HTTPAnnounceRequest.parse(query: bytes[...])
            _ = HTTPScrapeRequest.parse(query: bytes[...])
            _ = HTTPStatsRequest.parse(query: bytes[...])
            _ = HTTPRoute.route(path: bytes[...], query: bytes[...], statsPath: "stats")
            _ = HTTPAddressLiteral(parsing: bytes)
        }
    }
}
