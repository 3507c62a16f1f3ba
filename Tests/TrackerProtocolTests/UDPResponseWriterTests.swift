import Testing
import TrackerProtocol

@Suite("UDP response writing")
struct UDPResponseWriterTests {
    let tid = TransactionID(rawValue: 0x0102_0304)

    @Test("a connect reply is action 0, transaction ID, connection ID in 16 bytes")
    func connectGolden() {
        let bytes = written { UDPResponseWriter.connect(tid, ConnectionID(rawValue: 0xA1A2_A3A4_A5A6_A7A8), into: &$0) }
        #expect(bytes == be32(0) + be32(0x0102_0304) + be64(0xA1A2_A3A4_A5A6_A7A8))
    }

    @Test("an announce header is action 1, transaction ID, interval, leechers, seeders in 20 bytes")
    func announceGolden() {
        let bytes = written {
            UDPResponseWriter.announceHeader(tid, interval: 1800, leechers: 7, seeders: 0x0100_0000, into: &$0)
        }
        #expect(bytes == be32(1) + be32(0x0102_0304) + be32(1800) + be32(7) + be32(0x0100_0000))
    }

    @Test("a scrape reply is action 2, transaction ID, then seeders, completed, leechers per hash")
    func scrapeGolden() {
        let bytes = written { span in
            var n = UDPResponseWriter.scrapeHeader(tid, into: &span)
            n += UDPResponseWriter.scrapeEntry(index: 0, seeders: 10, completed: 20, leechers: 30, into: &span)
            n += UDPResponseWriter.scrapeEntry(index: 1, seeders: 1, completed: 2, leechers: 3, into: &span)
            return n
        }
        #expect(bytes == be32(2) + be32(0x0102_0304) + be32(10) + be32(20) + be32(30) + be32(1) + be32(2) + be32(3))
    }

    @Test("an error reply is action 3, transaction ID and the message without a terminator")
    func errorGolden() {
        let bytes = written { UDPResponseWriter.error(tid, message: "bad", limit: 100, into: &$0) }
        #expect(bytes == be32(3) + be32(0x0102_0304) + Array("bad".utf8))
    }

    @Test("an error reply never exceeds its limit and is empty below 8 bytes")
    func errorTruncation() {
        let message: StaticString = "Connection ID missmatch."  // 24 B, opentracker's text
        for limit in -1...40 {
            let bytes = written { UDPResponseWriter.error(tid, message: message, limit: limit, into: &$0) }
            if limit < 8 {
                #expect(bytes.isEmpty)
            } else {
                #expect(bytes.count == min(limit, 8 + 24))
                #expect(bytes == Array((be32(3) + be32(0x0102_0304) + Array("Connection ID missmatch.".utf8)).prefix(limit)))
            }
        }
    }

    @Test("an error reply never writes past a buffer smaller than its limit")
    func errorSmallBuffer() {
        let bytes = written(capacity: 10) { UDPResponseWriter.error(tid, message: "unknown action", limit: 1000, into: &$0) }
        #expect(bytes == be32(3) + be32(0x0102_0304) + Array("un".utf8))
    }

    @Test("the reason-based error reply carries the reason's message")
    func errorForReason() {
        for reason in UDPRejectReason.allCases {
            let viaReason = written { UDPResponseWriter.error(tid, reason: reason, limit: 1000, into: &$0) }
            let viaMessage = written { UDPResponseWriter.error(tid, message: reason.message, limit: 1000, into: &$0) }
            #expect(viaReason == viaMessage)
            #expect(viaReason.count == 8 + reason.message.utf8CodeUnitCount)
            let truncated = written { UDPResponseWriter.error(tid, reason: reason, limit: 12, into: &$0) }
            #expect(truncated == Array(viaMessage.prefix(12)))
        }
    }

    @Test("an announce request written by the request writer parses back to the same value")
    func announceRoundTrip() {
        let request = AnnounceRequest(
            connectionID: ConnectionID(rawValue: 0xFEED_FACE_0000_0001), transactionID: TransactionID(rawValue: 99),
            infoHash: InfoHash(bytes: sampleHashBytes), peerID: PeerID(bytes: samplePeerBytes),
            downloaded: .max, left: 0, uploaded: 12345, event: .completed,
            ipAddress: 0xC0A8_0001, key: 0xFFFF_FFFF, numWant: -1, port: 65535)
        let bytes = written { UDPRequestWriter.announce(request, into: &$0) }
        #expect(bytes.count == 98)
        #expect(bytes == announceBytes(
            connectionID: 0xFEED_FACE_0000_0001, transactionID: 99, downloaded: .max, left: 0, uploaded: 12345,
            event: 1, ip: 0xC0A8_0001, key: 0xFFFF_FFFF, numWant: -1, port: 65535))
        #expect(parseRequest(bytes) == .request(.announce(request)))
    }

    @Test("connect and scrape requests written by the request writer parse back")
    func requestRoundTrips() {
        let connect = written { UDPRequestWriter.connect(TransactionID(rawValue: 5), into: &$0) }
        #expect(connect == protocolIDBytes + be32(0) + be32(5))
        #expect(parseRequest(connect) == .request(.connect(ConnectRequest(transactionID: TransactionID(rawValue: 5)))))

        let hashes = (0..<3).map { i in InfoHash(bytes: (0..<20).map { UInt8(i * 20 + $0) }) }
        let scrape = written { span in
            var n = UDPRequestWriter.scrapeHeader(ConnectionID(rawValue: 1), TransactionID(rawValue: 2), into: &span)
            for (i, hash) in hashes.enumerated() { n += UDPRequestWriter.scrapeHash(index: i, hash, into: &span) }
            return n
        }
        #expect(scrape == be64(1) + be32(2) + be32(2) + hashes.flatMap(\.bytes))
        #expect(parseRequest(scrape) == .request(.scrape(ScrapeRequest(
            connectionID: ConnectionID(rawValue: 1), transactionID: TransactionID(rawValue: 2), count: 3))))
        #expect((0..<3).map { ScrapeRequest.infoHash(at: $0, in: scrape.span) } == hashes)
    }
}
