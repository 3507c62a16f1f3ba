import Testing
import TrackerProtocol

@Suite("UDP request parsing")
struct UDPRequestParserTests {
    @Test("a connect request built field by field parses to its transaction ID")
    func connectGolden() {
        let packet = protocolIDBytes + be32(0) + be32(0xDEAD_BEEF)
        #expect(packet.count == 16)
        #expect(parseRequest(packet) == .request(.connect(ConnectRequest(transactionID: TransactionID(rawValue: 0xDEAD_BEEF)))))
    }

    @Test("a connect with the wrong protocol ID is dropped, not answered")
    func connectBadMagic() {
        let packet = be64(0x417_2710_1981) + be32(0) + be32(7)
        #expect(parseRequest(packet) == .drop(.badProtocolID))
    }

    @Test("an announce built field by field parses every field at its BEP 15 offset")
    func announceGolden() {
        let packet = announceBytes(event: 3, ip: 0x0A00_0001, numWant: 42, port: 51413)
        #expect(packet.count == 98)
        guard case .request(.announce(let a)) = parseRequest(packet) else {
            Issue.record("not an announce")
            return
        }
        #expect(a.connectionID == ConnectionID(rawValue: 0x0123_4567_89AB_CDEF))
        #expect(a.transactionID == TransactionID(rawValue: 0xCAFE_F00D))
        #expect(a.infoHash.bytes == sampleHashBytes)
        #expect(a.peerID.bytes == samplePeerBytes)
        #expect(a.downloaded == 1_000)
        #expect(a.left == 2_000)
        #expect(a.uploaded == 3_000)
        #expect(a.event == .stopped)
        #expect(a.ipAddress == 0x0A00_0001)
        #expect(a.key == 0x1234_5678)
        #expect(a.numWant == 42)
        #expect(a.port == 51413)
    }

    @Test("an announce with BEP 41 options after byte 98 parses exactly like one without")
    func announceBEP41() {
        let base = announceBytes()
        // BEP 41: option type 0x2 URLData, length, bytes; then 0x1 NOP and 0x0 EndOfOptions.
        let path = Array("/announce?passkey=abc".utf8)
        let withOptions = base + [0x2, UInt8(path.count)] + path + [0x1, 0x0]
        #expect(withOptions.count > 98)
        #expect(parseRequest(withOptions) == parseRequest(base))
        guard case .request(.announce(let a)) = parseRequest(withOptions) else {
            Issue.record("BEP 41 options made the announce unparseable")
            return
        }
        #expect(a.port == 6881)
    }

    @Test("a negative num_want is kept raw as -1 for the server to clamp")
    func announceNegativeNumWant() {
        guard case .request(.announce(let a)) = parseRequest(announceBytes(numWant: -1)) else {
            Issue.record("not an announce")
            return
        }
        #expect(a.numWant == -1)
        #expect(UDPLimits.clampNumWant(a.numWant, ipv6: false) == 50)
    }

    @Test("unknown event values parse as a regular announce")
    func unknownEvent() {
        for raw: UInt32 in [4, 99, .max] {
            guard case .request(.announce(let a)) = parseRequest(announceBytes(event: raw)) else {
                Issue.record("event \(raw) broke the announce")
                continue
            }
            #expect(a.event == AnnounceEvent.none)
        }
        #expect(AnnounceEvent(wireValue: 1) == .completed)
        #expect(AnnounceEvent(wireValue: 2) == .started)
    }

    @Test("an announce one byte short is rejected with its connection and transaction IDs")
    func announceTooShort() {
        let packet = Array(announceBytes().dropLast())
        #expect(parseRequest(packet) == .reject(
            ConnectionID(rawValue: 0x0123_4567_89AB_CDEF), TransactionID(rawValue: 0xCAFE_F00D), .announceTooShort))
    }

    @Test("a scrape built field by field exposes each info_hash in order")
    func scrapeGolden() {
        let second: [UInt8] = (0..<20).map { UInt8(0xF0 - $0) }
        let packet = be64(77) + be32(2) + be32(5) + sampleHashBytes + second
        guard case .request(.scrape(let s)) = parseRequest(packet) else {
            Issue.record("not a scrape")
            return
        }
        #expect(s.connectionID == ConnectionID(rawValue: 77))
        #expect(s.transactionID == TransactionID(rawValue: 5))
        #expect(s.count == 2)
        #expect(ScrapeRequest.infoHash(at: 0, in: packet.span).bytes == sampleHashBytes)
        #expect(ScrapeRequest.infoHash(at: 1, in: packet.span).bytes == second)
    }

    @Test("a trailing partial hash in a scrape is ignored")
    func scrapePartial() {
        let header = be64(1) + be32(2) + be32(9)
        for extra in 1..<20 {
            let packet = header + sampleHashBytes + sampleHashBytes + Array(repeating: 0xAB, count: extra)
            guard case .request(.scrape(let s)) = parseRequest(packet) else {
                Issue.record("partial hash of \(extra) B broke the scrape")
                continue
            }
            #expect(s.count == 2)
        }
    }

    @Test("a scrape with more than 74 hashes is clamped to 74, not refused")
    func scrapeClamp() {
        let header = be64(1) + be32(2) + be32(9)
        for hashes in [73, 74, 75, 100, 200] {
            let packet = header + Array(repeating: 0x11, count: 20 * hashes)
            guard case .request(.scrape(let s)) = parseRequest(packet) else {
                Issue.record("\(hashes) hashes not parsed")
                continue
            }
            #expect(s.count == min(hashes, 74))
        }
    }

    @Test("a scrape without a full hash is rejected")
    func scrapeEmpty() {
        for extra in [0, 1, 19] {
            let packet = be64(3) + be32(2) + be32(4) + Array(repeating: 0, count: extra)
            #expect(parseRequest(packet) == .reject(ConnectionID(rawValue: 3), TransactionID(rawValue: 4), .scrapeWithoutHashes))
        }
    }

    @Test("actions other than 0, 1 and 2 are rejected as unknown, error (3) included")
    func unknownAction() {
        for action: UInt32 in [3, 4, 99, .max] {
            let packet = be64(8) + be32(action) + be32(6) + Array(repeating: 0, count: 100)
            #expect(parseRequest(packet) == .reject(ConnectionID(rawValue: 8), TransactionID(rawValue: 6), .unknownAction))
        }
    }

    @Test("packets shorter than 16 bytes are dropped whatever their action")
    func tooShort() {
        for length in 0..<16 {
            let packet = Array((protocolIDBytes + be32(0) + be32(1)).prefix(length))
            #expect(parseRequest(packet) == .drop(.tooShort))
        }
    }

    @Test("reject messages are short ASCII of at most 24 bytes")
    func rejectMessages() {
        for reason in UDPRejectReason.allCases {
            let text = reason.message.description
            #expect(!text.isEmpty)
            #expect(text.utf8.count <= 24)
            #expect(text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        }
    }
}
