import Testing
import TrackerProtocol

@Suite("UDP response parsing")
struct UDPResponseParserTests {
    let tid = TransactionID(rawValue: 0xABCD)

    @Test("every reply the writer produces parses back to the same fields")
    func roundTrips() {
        let connect = written { UDPResponseWriter.connect(tid, ConnectionID(rawValue: 42), into: &$0) }
        #expect(parseResponse(connect) == .connect(tid, ConnectionID(rawValue: 42)))

        let announce = written { UDPResponseWriter.announceHeader(tid, interval: 1620, leechers: 3, seeders: 4, into: &$0) }
        #expect(parseResponse(announce) == .announce(tid, 1620, 3, 4, 0))

        let scrape = written { span in
            var n = UDPResponseWriter.scrapeHeader(tid, into: &span)
            for i in 0..<74 {
                n += UDPResponseWriter.scrapeEntry(index: i, seeders: UInt32(i), completed: 1000, leechers: UInt32(2 * i), into: &span)
            }
            return n
        }
        #expect(scrape.count == 8 + 74 * 12)
        #expect(parseResponse(scrape) == .scrape(tid, 74))
        let entry = UDPResponseParser.scrapeEntry(at: 73, in: scrape.span)
        #expect(entry.seeders == 73 && entry.completed == 1000 && entry.leechers == 146)

        let error = written { UDPResponseWriter.error(tid, reason: .unknownAction, limit: 100, into: &$0) }
        #expect(parseResponse(error) == .error(tid))
        #expect(parseResponse(error)?.transactionID == tid)
    }

    @Test("announce replies count 6-byte peers over IPv4 and 18-byte peers over IPv6")
    func announcePeers() {
        let header = be32(1) + be32(0xABCD) + be32(1800) + be32(1) + be32(2)
        let v4 = header + [127, 0, 0, 1] + be16(6881) + [10, 0, 0, 2] + be16(51413)
        #expect(parseResponse(v4) == .announce(tid, 1800, 1, 2, 2))
        let second = UDPResponseParser.peerIPv4(at: 1, in: v4.span)
        #expect(second.address == 0x0A00_0002 && second.port == 51413)

        let v6 = header + be64(0x2001_0DB8_0000_0000) + be64(1) + be16(443)
        #expect(parseResponse(v6, ipv6: true) == .announce(tid, 1800, 1, 2, 1))
        let peer = UDPResponseParser.peerIPv6(at: 0, in: v6.span)
        #expect(peer.high == 0x2001_0DB8_0000_0000 && peer.low == 1 && peer.port == 443)
        // 18 bytes is three IPv4 peers; 6 bytes is no whole IPv6 peer.
        #expect(parseResponse(v6, ipv6: false) == .announce(tid, 1800, 1, 2, 3))
        #expect(parseResponse(header + [1, 2, 3, 4, 5, 6], ipv6: true) == nil)
    }

    @Test("replies of the wrong size are refused")
    func wrongSizes() {
        let tidBytes = be32(0xABCD)
        #expect(parseResponse(be32(0) + tidBytes + be64(1) + [0]) == nil)             // connect 17 B
        #expect(parseResponse(be32(0) + tidBytes + be32(1)) == nil)                    // connect 12 B
        #expect(parseResponse(be32(1) + tidBytes) == nil)                              // opentracker's 8 B announce
        #expect(parseResponse(be32(1) + tidBytes + Array(repeating: 0, count: 17)) == nil)
        #expect(parseResponse(be32(2) + tidBytes + Array(repeating: 0, count: 11)) == nil)
        #expect(parseResponse(be32(2) + tidBytes) == .scrape(tid, 0))
        #expect(parseResponse(be32(3) + tidBytes) == .error(tid))
        #expect(parseResponse(be32(4) + tidBytes + Array(repeating: 0, count: 12)) == nil)
        for length in 0..<8 { #expect(parseResponse(Array(repeating: 0, count: length)) == nil) }
    }
}
