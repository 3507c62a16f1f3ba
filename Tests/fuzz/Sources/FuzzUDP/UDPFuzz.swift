import FuzzSupport
import TrackerCore
import TrackerProtocol
@testable import TrackerServer

/// BEP 15 requests through the parser and the worker's whole decision (`UDPRequestHandler.respond`,
/// the function the io_uring and mmsg engines call), against a fresh store per input.
///
/// Input: a setup byte (access mode, tight store limits, decoys, a memory cap, a new-torrent
/// rate), then up to `maxDatagrams` of
/// `control(1) length(2) bytes`. The control byte picks one of eight sources (four IPv4, four
/// IPv6) and whether to overwrite bytes 0..<8 with a connection ID valid for that source, so the
/// fuzzer reaches announces and scrapes without forging the AES-CMAC.
///
/// Checked for every datagram: a reply never exceeds `UDPLimits.maxResponseSize`, an error reply
/// never exceeds the request, nothing is answered without a valid connection ID (connect aside),
/// every reply echoes the transaction ID and parses with the client-side parser, an announce
/// round-trips through `UDPRequestWriter`, an announce reply holds at most the clamped `num_want`
/// distinct peers of the requester's family and never the requester, decoys stay within their
/// share, scrape entries match the store; after the sequence, the store's totals match its shards.
enum UDPFuzz {
    static let maxDatagrams = 64
    /// The send slot size the engines allocate (`WorkerEngineConfiguration.replyCapacity`).
    static let replyCapacity = 1280
    static let listed = [InfoHash(bytes: [UInt8](repeating: 0, count: 20)), InfoHash(bytes: [UInt8](repeating: 0x41, count: 20))]
    /// RFC 2544's benchmarking network and a documentation /48: no source below lies in them, so a
    /// peer inside them in a reply is a decoy.
    static let decoyPolicy = DecoyPolicy(
        percent: 25, ipv4: [.init(network: 0xC612_0000, prefixLength: 15)],
        ipv6: [.init(high: 0x2001_0DB8_FFFF_0000, low: 0, prefixLength: 48)])
    static let sources: [PeerAddress] = [
        .v4(IPv4Address(10, 0, 0, 1)), .v4(IPv4Address(10, 0, 0, 2)), .v4(IPv4Address(192, 0, 2, 7)),
        .v4(IPv4Address(203, 0, 113, 200)),
        .v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 1)), .v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 2)),
        .v6(IPv6Address(high: 0x2001_0DB8_0000_0002, low: 1)), .v6(IPv6Address(high: 0xFE80_0000_0000_0000, low: 9)),
    ]

    /// Shared by every input: the handler only publishes into it (and records woodpeckers), which
    /// never changes a reply, and building its tables per input would cost more than the input.
    static let statistics = UDPStatistics()

    static func run(_ input: FuzzReader) {
        var input = input
        let setup = input.byte()
        var configuration = TrackerConfiguration(shardCount: 4)
        // The per-network new-torrent budget is a 512 KiB table whose set-up costs more than the
        // rest of an input: only one setup value in eight builds it.
        configuration.limits = StoreLimits(
            maxTorrents: setup & 0b100 != 0 ? 4 : 0, maxPeersPerTorrent: setup & 0b100 != 0 ? 16 : 0,
            newTorrentsPerMinute: setup & 0b1110_0000 == 0b1110_0000 ? 3 : 0)
        if setup & 0b1_0000 != 0 { configuration.limits.maxMemoryBytes = 200 }
        if setup & 0b1000 != 0 { configuration.decoys = decoyPolicy }
        let mode: AccessMode = [.open, .whitelist, .blacklist, .open][Int(setup & 0b11)]
        let store = TorrentStore(configuration: configuration, hashSeed: 0x5EED)
        let connectionIDs = TrackerConnectionIDs(key: (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210))
        let intervals = AnnounceIntervalPolicy(configuration: configuration)
        var handler = UDPRequestHandler(
            store: store, connectionIDs: connectionIDs, intervals: intervals, statistics: statistics,
            access: AccessPolicy(mode: mode, list: AccessList(infoHashes: Set(listed))), seed: 7)
        var reply = [UInt8](repeating: 0, count: replyCapacity)

        for _ in 0..<maxDatagrams where !input.isAtEnd {
            let control = input.byte()
            let source = sources[Int(control & 0b111)]
            var packet = input.bytes(Int(input.uint16()) % (UDPLimits.maxRequestSize + 1))
            if control & 0b1000 != 0, packet.count >= 8 {
                let id = connectionIDs.make(for: source, now: handler.now).rawValue
                for index in 0..<8 { packet[index] = UInt8(truncatingIfNeeded: id >> (56 - 8 * UInt64(index))) }
            }
            let length: Int
            do {
                var span = reply.mutableSpan
                var out = span.mutableBytes
                length = handler.respond(
                    to: packet.span, from: PeerEndpoint(address: source, port: 40_000), into: &out, limit: packet.count)
            }
            check(packet, reply: Array(reply[0..<min(max(length, 0), reply.count)]), length: length, source: source,
                  handler: handler, store: store, intervals: intervals)
        }
        StoreCensus.requireConsistentTotals(store, "after the datagrams")
    }

    static func check(
        _ packet: [UInt8], reply: [UInt8], length: Int, source: PeerAddress, handler: UDPRequestHandler,
        store: TorrentStore, intervals: AnnounceIntervalPolicy
    ) {
        invariant(length >= 0 && length <= UDPLimits.maxResponseSize, "reply of \(length) B exceeds \(UDPLimits.maxResponseSize) B")
        let parsed = UDPRequestParser.parse(packet.span)
        let connectionID: ConnectionID
        switch parsed {
        case .drop(let reason):
            invariant(length == 0, "dropped (\(reason)) yet answered with \(length) B")
            return
        case .request(.connect(let request)):
            invariant(length == UDPLimits.connectResponseSize, "connect answered with \(length) B")
            guard case .connect(let tid, let id) = UDPResponseParser.parse(reply.span) else {
                return invariant(false, "connect reply does not parse")
            }
            invariant(tid == request.transactionID, "connect reply has another transaction ID")
            invariant(handler.connectionIDs.isValid(id, for: source, now: handler.now), "issued connection ID does not validate")
            return
        case .request(.announce(let request)): connectionID = request.connectionID
        case .request(.scrape(let request)): connectionID = request.connectionID
        case .reject(let id, _, _): connectionID = id
        }
        guard handler.connectionIDs.isValid(connectionID, for: source, now: handler.now) else {
            return invariant(length == 0, "answered \(length) B without a valid connection ID")
        }
        invariant(length >= UDPLimits.errorHeaderSize, "a request with a valid ID got no reply")
        invariant(reply[4..<8].elementsEqual(packet[12..<16]), "reply does not echo the transaction ID")
        let isIPv6 = source.isIPv6
        let response = UDPResponseParser.parse(reply.span, ipv6: isIPv6)
        if case .error = response {
            invariant(length <= packet.count, "error reply of \(length) B to a \(packet.count) B request")
            if case .request(.announce) = parsed { return }  // denied or refused by a limit
            guard case .reject = parsed else { return invariant(false, "error reply to a well-formed \(parsed)") }
            return
        }
        switch (parsed, response) {
        case (.request(.scrape(let request)), .scrape(_, let entries)):
            invariant(request.count == min((packet.count - 16) / 20, UDPLimits.maxScrapeHashes), "scrape count \(request.count)")
            invariant(entries == request.count, "\(entries) scrape entries for \(request.count) hashes")
            for index in 0..<request.count {
                let counts = store.scrape(ScrapeRequest.infoHash(at: index, in: packet.span))
                let entry = UDPResponseParser.scrapeEntry(at: index, in: reply.span)
                invariant(entry == (counts.seeders, counts.downloaded, counts.leechers), "scrape entry \(index) differs from the store")
            }
        case (.request(.announce(let request)), .announce(_, let interval, _, _, let peers)):
            checkAnnounce(request, packet: packet, reply: reply, peers: peers, source: source, handler: handler)
            let range = intervals.base - intervals.jitter...intervals.base + intervals.jitter
            invariant(range.contains(interval), "interval \(interval) outside \(range)")
        default:
            invariant(false, "reply \(String(describing: response)) does not fit the request \(parsed)")
        }
    }

    static func checkAnnounce(
        _ request: AnnounceRequest, packet: [UInt8], reply: [UInt8], peers: Int, source: PeerAddress,
        handler: UDPRequestHandler
    ) {
        var rewritten = [UInt8](repeating: 0, count: UDPLimits.announceRequestSize)
        do {
            var span = rewritten.mutableSpan
            var raw = span.mutableBytes
            _ = UDPRequestWriter.announce(request, into: &raw)
        }
        var original = Array(packet[0..<UDPLimits.announceRequestSize])
        // Unknown events are read as a regular announce (0); everything else must come back as sent.
        if AnnounceEvent(rawValue: WireBytes.uint32(packet.span, at: 80)) == nil { original.replaceSubrange(80..<84, with: [0, 0, 0, 0]) }
        invariant(rewritten == original, "announce does not round-trip through UDPRequestWriter")
        invariant(UDPRequestParser.parse(rewritten.span) == .request(.announce(request)), "re-encoded announce parses differently")

        let wanted = UDPLimits.clampNumWant(request.numWant, ipv6: source.isIPv6)
        invariant(peers <= wanted, "\(peers) peers for num_want \(request.numWant) (clamped \(wanted))")
        if request.event == .stopped { invariant(peers == 0, "a stopped announce got \(peers) peers") }
        var seen = Set<PeerEndpoint>()
        var decoys = 0
        for index in 0..<peers {
            let peer: PeerEndpoint
            if source.isIPv6 {
                let record = UDPResponseParser.peerIPv6(at: index, in: reply.span)
                peer = .v6(IPv6Address(high: record.high, low: record.low), port: record.port)
            } else {
                let record = UDPResponseParser.peerIPv4(at: index, in: reply.span)
                peer = .v4(IPv4Address(rawValue: record.address), port: record.port)
            }
            if isDecoy(peer.address) {
                decoys += 1
                continue
            }
            invariant(decoys == 0, "a real peer follows a decoy")
            invariant(peer != PeerEndpoint(address: source, port: request.port), "the requester was sent itself")
            invariant(seen.insert(peer).inserted, "peer \(peer) sent twice")
        }
        let percent = handler.store.configuration.decoys.percent
        invariant(decoys * (100 - percent) <= (peers - decoys) * percent, "\(decoys) decoys among \(peers) peers")
    }

    static func isDecoy(_ address: PeerAddress) -> Bool {
        switch address {
        case .v4(let v4): v4.rawValue >> 17 == 0xC612_0000 >> 17
        case .v6(let v6): v6.high >> 16 == 0x2001_0DB8_FFFF
        }
    }
}
