import Glibc
import TrackerCore
import TrackerIO
import TrackerProtocol

/// One worker's BEP 15 logic: turns a datagram into a reply written straight into the send slot.
///
/// A value type owned by its worker thread: the store is the only shared state (shard locks),
/// everything else (RNG, clock, counters) is the worker's own, so the hot path takes no other lock
/// and allocates nothing.
public struct UDPRequestHandler: DatagramHandler, Sendable {
    let store: TorrentStore
    let connectionIDs: TrackerConnectionIDs
    let intervals: AnnounceIntervalPolicy
    let statistics: UDPStatistics
    /// This worker's cached view of the access list: refreshed once per loop turn, read lock-free.
    var access: AccessPolicy.Reader
    var rng: Xoshiro256
    var counters = UDPLocalCounters()
    /// This worker's ring to the cluster sync thread; nil without cluster sync.
    public var sync: SyncQueue?
    /// Unix seconds, refreshed once per loop turn in `tick()` (a vDSO read, not a syscall).
    public private(set) var now: UInt32

    public init(
        store: TorrentStore, connectionIDs: TrackerConnectionIDs, intervals: AnnounceIntervalPolicy,
        statistics: UDPStatistics, access: AccessPolicy, seed: UInt64
    ) {
        self.access = access.makeReader()
        self.store = store
        self.connectionIDs = connectionIDs
        self.intervals = intervals
        self.statistics = statistics
        self.rng = Xoshiro256(seed: seed)
        self.now = WallClock.seconds()
    }

    public mutating func tick() {
        now = WallClock.seconds()
        access.refresh()
        statistics.publish(counters)
    }

    @inline(__always)
    public mutating func handleDatagram(
        _ payload: UnsafeRawBufferPointer, source: UnsafeRawPointer, reply: UnsafeMutableRawBufferPointer
    ) -> Int {
        counters.bytesIn &+= UInt64(payload.count)
        guard let datagramSource = unsafe DatagramSource(sockaddr: source) else {
            counters.drops[UDPDropReason.unknownFamily.rawValue] &+= 1
            return 0
        }
        let endpoint = PeerEndpoint(datagramSource)
        // A source port of 0 cannot receive a reply; answering would only feed reflection tricks.
        guard endpoint.port != 0 else {
            counters.drops[UDPDropReason.sourcePortZero.rawValue] &+= 1
            return 0
        }
        // SAFETY: the engine hands us a receive buffer valid for the duration of this call and
        // holding plain bytes; binding it to UInt8 for reading is the only typed view taken.
        let bytes = unsafe payload.assumingMemoryBound(to: UInt8.self)
        var out = unsafe reply.mutableBytes
        let length = respond(to: unsafe bytes.span, from: endpoint, into: &out, limit: payload.count)
        counters.bytesOut &+= UInt64(length)
        return length
    }

    /// The protocol decision, free of pointers: everything after the source address is decoded.
    mutating func respond(
        to packet: Span<UInt8>, from endpoint: PeerEndpoint, into out: inout MutableRawSpan, limit: Int
    ) -> Int {
        switch UDPRequestParser.parse(packet) {
        case .request(.connect(let request)):
            counters.responses[UDPOutcome.connect.rawValue] &+= 1
            let id = connectionIDs.make(for: endpoint.address, now: now)
            return UDPResponseWriter.connect(request.transactionID, id, into: &out)

        case .request(.announce(let request)):
            guard connectionIDs.isValid(request.connectionID, for: endpoint.address, now: now) else {
                return drop(.badConnectionID)
            }
            guard access.allows(request.infoHash) else {
                counters.responses[UDPOutcome.denied.rawValue] &+= 1
                let reason: UDPRejectReason = access.mode == .whitelist ? .torrentNotOnWhitelist : .torrentBlacklisted
                return UDPResponseWriter.error(request.transactionID, reason: reason, limit: limit, into: &out)
            }
            return announce(request, from: endpoint, limit: limit, into: &out)

        case .request(.scrape(let request)):
            guard connectionIDs.isValid(request.connectionID, for: endpoint.address, now: now) else {
                return drop(.badConnectionID)
            }
            counters.responses[UDPOutcome.scrape.rawValue] &+= 1
            var length = UDPResponseWriter.scrapeHeader(request.transactionID, into: &out)
            for index in 0..<request.count {
                let counts = store.scrape(ScrapeRequest.infoHash(at: index, in: packet))
                length += UDPResponseWriter.scrapeEntry(
                    index: index, seeders: counts.seeders, completed: counts.downloaded,
                    leechers: counts.leechers, into: &out)
            }
            return length

        case .reject(let connectionID, let transactionID, let reason):
            // BEP 15 error replies go only to holders of a valid ID and never exceed the request's
            // size, so the tracker cannot be used as a reflector or amplifier.
            guard connectionIDs.isValid(connectionID, for: endpoint.address, now: now) else {
                return drop(.badConnectionID)
            }
            counters.responses[UDPOutcome.error.rawValue] &+= 1
            return UDPResponseWriter.error(transactionID, reason: reason, limit: limit, into: &out)

        case .drop(let reason):
            return drop(reason)
        }
    }

    private mutating func announce(
        _ request: AnnounceRequest, from endpoint: PeerEndpoint, limit: Int, into out: inout MutableRawSpan
    ) -> Int {
        let isIPv6: Bool
        if case .v6 = endpoint.address { isIPv6 = true } else { isIPv6 = false }
        let announce = Announce(
            infoHash: request.infoHash, event: request.event, isSeeder: request.left == 0,
            numWant: UDPLimits.clampNumWant(request.numWant, ipv6: isIPv6))
        // BEP 15: the peer is the packet's source address with the port it announces (the IP
        // field is ignored, so nobody can register someone else's address).
        let peer = PeerEndpoint(address: endpoint.address, port: request.port)
        let outcome = store.announce(
            announce, from: peer, now: now, rng: &rng, peers: &out, at: UDPLimits.announceResponseHeaderSize)
        if let refusal = outcome.refusal {
            // A limit refused it (counted by the store per reason): a BEP 15 error, as for a denial.
            counters.responses[UDPOutcome.denied.rawValue] &+= 1
            let reason: UDPRejectReason = refusal == .newTorrentRate ? .tooManyNewTorrents : .trackerFull
            return UDPResponseWriter.error(request.transactionID, reason: reason, limit: limit, into: &out)
        }
        counters.responses[UDPOutcome.announce.rawValue] &+= 1
        let header = UDPResponseWriter.announceHeader(
            request.transactionID, interval: intervals.interval(rng: &rng),
            leechers: outcome.leechers, seeders: outcome.seeders, into: &out)
        counters.peersReturned &+= UInt64(outcome.peerCount)
        if outcome.worthSyncing, let sync {
            // A copy into a preallocated ring slot: no lock, no allocation (docs/CLUSTER.md).
            sync.push(LivesyncEntry.change(request.infoHash, peer, event: request.event, isSeeder: announce.isSeeder))
        }
        counters.decoys &+= UInt64(outcome.decoys)
        // opentracker's `completed` counts announces with event=completed, UDP as HTTP.
        if request.event == .completed { counters.completed &+= 1 }
        if let minutes = outcome.renewedAfterMinutes {
            counters.renewals[AnnounceRenewals.bucket(minutes)] &+= 1
            if AnnounceRenewals.woodpeckerMinutes.contains(minutes), case .v4(let address) = endpoint.address {
                let now = self.now
                // SAFETY: `statistics` is a `let` of this handler and holds the table for the
                // handler's life; borrowing it unretained saves a retain and a release per record.
                unsafe Unmanaged.passUnretained(statistics.woodpeckers)._withUnsafeGuaranteedRef {
                    $0.record(address, now: now)
                }
            }
        }
        return header + outcome.peerCount * (isIPv6 ? UDPLimits.peerSizeIPv6 : UDPLimits.peerSizeIPv4)
    }

    private mutating func drop(_ reason: UDPDropReason) -> Int {
        counters.drops[reason.rawValue] &+= 1
        return 0
    }
}
