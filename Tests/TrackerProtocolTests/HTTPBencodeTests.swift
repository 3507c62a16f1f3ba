import Testing
import TrackerProtocol

@Suite("HTTP bencoded replies")
struct HTTPBencodeTests {
    let counts = HTTPBencode.AnnounceCounts(seeders: 1, leechers: 2, downloaded: 3, interval: 1650)

    @Test("an IPv4 announce reply is opentracker's bytes, keys sorted")
    func compactIPv4() {
        let peer: [UInt8] = [0x7F, 0, 0, 1, 0x1A, 0xE1]
        let body = HTTPBencode.announce(counts, compactPeers: peer[...], ipv6: false)
        let expected = Array("d8:completei1e10:downloadedi3e10:incompletei2e8:intervali1650e12:min intervali825e5:peers6:".utf8)
            + peer + Array("e".utf8)
        #expect(body == expected)
    }

    @Test("an IPv6 requester gets 18-byte records in peers6 and an empty peers")
    func compactIPv6() {
        let peer: [UInt8] = [UInt8](repeating: 0, count: 15) + [1, 0x1A, 0xE1]
        let body = HTTPBencode.announce(counts, compactPeers: peer[...], ipv6: true)
        let expected = Array("d8:completei1e10:downloadedi3e10:incompletei2e8:intervali1650e12:min intervali825e5:peers0:6:peers618:".utf8)
            + peer + Array("e".utf8)
        #expect(body == expected)
    }

    @Test("a stopped reply leaves out downloaded")
    func stopped() {
        let body = HTTPBencode.announce(counts, compactPeers: [], ipv6: false, stopped: true)
        #expect(String(decoding: body, as: UTF8.self)
            == "d8:completei1e10:incompletei2e8:intervali1650e12:min intervali825e5:peers0:e")
    }

    @Test("compact=0 lists peers as ip/port dictionaries")
    func dictionaryForm() {
        let peers: [UInt8] = [10, 0, 0, 1, 0x1A, 0xE1, 10, 0, 0, 2, 0, 80]
        let body = HTTPBencode.announceDictionary(counts, compactPeers: peers, peerSize: 6)
        #expect(String(decoding: body, as: UTF8.self)
            == "d8:completei1e10:downloadedi3e10:incompletei2e8:intervali1650e12:min intervali825e"
            + "5:peersld2:ip8:10.0.0.14:porti6881eed2:ip8:10.0.0.24:porti80eeee")
        let v6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1, 0, 80]
        let body6 = HTTPBencode.announceDictionary(counts, compactPeers: v6, peerSize: 18)
        #expect(String(decoding: body6, as: UTF8.self).hasSuffix("5:peersld2:ip20:2001:db8:0:0:0:0:0:14:porti80eeee"))
    }

    @Test("failure reasons and scrape files match opentracker")
    func failureAndScrape() {
        #expect(String(decoding: HTTPBencode.failure(HTTPFailureReason.missingInfoHash.message), as: UTF8.self)
            == "d14:failure reason80:Your client forgot to send your torrent's info_hash. Please upgrade your client.e")
        let hash = InfoHash(bytes: Array("AAAAAAAAAAAAAAAAAAAA".utf8))
        let unknown = InfoHash(bytes: Array("BBBBBBBBBBBBBBBBBBBB".utf8))
        let body = HTTPBencode.scrape([(hash, 4, 5, 6), (unknown, 0, 0, 0)])
        #expect(String(decoding: body, as: UTF8.self)
            == "d5:filesd20:AAAAAAAAAAAAAAAAAAAAd8:completei4e10:downloadedi6e10:incompletei5eeee")
        #expect(String(decoding: HTTPBencode.scrape([]), as: UTF8.self) == "d5:filesdee")
    }

    @Test("full scrape entries in ben and txt")
    func fullScrapeEntries() {
        let hash = InfoHash(bytes: (0..<20).map { UInt8($0 * 13) })
        var ben: [UInt8] = []
        HTTPFullScrapeFormat.ben.appendPrefix(to: &ben)
        HTTPFullScrapeFormat.ben.appendEntry(hash, seeders: 7, leechers: 8, downloaded: 9, to: &ben)
        HTTPFullScrapeFormat.ben.appendSuffix(to: &ben)
        #expect(ben == Array("d5:filesd20:".utf8) + hash.bytes
            + Array("d8:completei7e10:downloadedi9e10:incompletei8eeee".utf8))
        var txt: [UInt8] = []
        HTTPFullScrapeFormat.txt.appendEntry(hash, seeders: 7, leechers: 8, downloaded: 9, to: &txt)
        #expect(String(decoding: txt, as: UTF8.self) == hash.hex.uppercased() + ":7:8\n")
    }
}
