import Testing
import TrackerProtocol

/// Untrusted bytes never trap (STYLE.md): every length and action, and random garbage, must end in a
/// sensible classification.
@Suite("UDP parsing of arbitrary bytes")
struct UDPFuzzTests {
    /// What BEP 15 says a packet of this length and action must become.
    static func expectedKind(length: Int, action: UInt32, magic: Bool) -> String {
        if length < 16 { return "drop.tooShort" }
        switch action {
        case 0: return magic ? "connect" : "drop.badProtocolID"
        case 1: return length >= 98 ? "announce" : "reject.announceTooShort"
        case 2: return length >= 36 ? "scrape" : "reject.scrapeWithoutHashes"
        default: return "reject.unknownAction"
        }
    }

    static func kind(_ result: UDPParseResult) -> String {
        switch result {
        case .request(.connect): "connect"
        case .request(.announce): "announce"
        case .request(.scrape): "scrape"
        case .reject(_, _, let reason): "reject.\(reason)"
        case .drop(let reason): "drop.\(reason)"
        }
    }

    @Test("every length 0…512 for actions 0, 1, 2, 3 and 99 is classified as BEP 15 requires")
    func lengthSweep() {
        var rng = SplitMix64(state: 2026)
        for action: UInt32 in [0, 1, 2, 3, 99] {
            for length in 0...512 {
                var packet = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                // Half the connects carry the real magic so both branches are swept.
                let magic = action == 0 && length % 2 == 0
                if length >= 8 && magic { packet.replaceSubrange(0..<8, with: protocolIDBytes) }
                if length >= 12 { packet.replaceSubrange(8..<12, with: be32(action)) }
                let result = parseRequest(packet)
                let expected = Self.expectedKind(length: length, action: action, magic: magic && length >= 16)
                #expect(Self.kind(result) == expected, "action \(action), length \(length)")
                if case .request(.scrape(let s)) = result {
                    #expect(s.count == min((length - 16) / 20, 74))
                    // Every counted hash is inside the packet.
                    #expect(ScrapeRequest.infoHash(at: s.count - 1, in: packet.span).bytes
                        == Array(packet[(16 + 20 * (s.count - 1))..<(16 + 20 * s.count)]))
                }
                if case .reject(let cid, let tid, _) = result {
                    #expect(be64(cid.rawValue) == Array(packet[0..<8]))
                    #expect(be32(tid.rawValue) == Array(packet[12..<16]))
                }
            }
        }
    }

    @Test("10,000 random packets are classified without trapping")
    func randomPackets() {
        var rng = SplitMix64(state: 15)
        var seen: Set<String> = []
        for _ in 0..<10_000 {
            let length = Int.random(in: 0...1500, using: &rng)
            var packet = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Bias the action field toward meaningful values so every branch is reached.
            if length >= 12 { packet.replaceSubrange(8..<12, with: be32(UInt32.random(in: 0...4, using: &rng))) }
            let result = parseRequest(packet)
            let action = length >= 12 ? UInt32(packet[11]) : 0
            let magic = length >= 16 && Array(packet[0..<8]) == protocolIDBytes
            #expect(Self.kind(result) == Self.expectedKind(length: length, action: action, magic: magic))
            seen.insert(Self.kind(result))
            // Replies parse as garbage too, and never trap.
            _ = parseResponse(packet, ipv6: length % 2 == 0)
        }
        #expect(seen.isSuperset(of: ["drop.tooShort", "drop.badProtocolID", "announce", "scrape", "reject.unknownAction"]))
    }
}
