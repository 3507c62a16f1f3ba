import NIOCore
import NIOHTTP1
import TrackerCore
import TrackerIO
import TrackerProtocol

extension HTTPTrackerHandler {
    /// Same semantics as a UDP announce: one store call (one shard lock), peers of the requester's
    /// family written straight into the loop's scratch buffer, then bencoded.
    func announce(query: ArraySlice<UInt8>?, client: PeerAddress, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request: HTTPAnnounceRequest
        switch HTTPAnnounceRequest.parse(query: query) {
        case .invalid(let reason):
            loop.statistics.count(reason)
            return error(.badRequest, action: .announce, head: head, context: context)
        case .failure(let reason):
            // Clients show a `failure reason` to the user; a 400 would just be retried.
            loop.statistics.count(.announce, .failureReason)
            return respond(.ok, contentType: .plain, body: HTTPBencode.failure(reason.message), head: head, context: context)
        case .request(let parsed):
            request = parsed
        }
        if loop.access != nil {
            loop.access?.refresh()
            if loop.access?.allows(request.infoHash) == false {
                // opentracker's exact reply: HTTP 200 with a failure reason, no store access.
                loop.statistics.count(.announce, .denied)
                let body = HTTPBencode.failure(HTTPFailureReason.notAuthorized.message)
                return respond(.ok, contentType: .plain, body: body, head: head, context: context)
            }
        }
        var address = client
        // `ip=` replaces the source only for trusted networks (BEP 3 allows it; opentracker needs
        // WANT_IP_FROM_QUERY_STRING): otherwise anyone could inject third-party addresses.
        if let ip = request.ip, let tcpPeer, shared.configuration.trustedProxy(tcpPeer) {
            address = HTTPPeerAddress.peerAddress(ip)
        }
        let isIPv6: Bool
        switch address {
        case .v4: isIPv6 = false
        case .v6: isIPv6 = true
        }
        let peerSize = isIPv6 ? HTTPLimits.compactPeerSizeIPv6 : HTTPLimits.compactPeerSizeIPv4
        let announce = Announce(
            infoHash: request.infoHash, event: request.event, isSeeder: request.isSeeder, numWant: request.numWant)
        var buffer: [UInt8] = []
        swap(&buffer, &loop.peerBuffer)
        let outcome: AnnounceOutcome
        do {
            var span = buffer.mutableSpan
            var raw = span.mutableBytes
            outcome = shared.store.announce(
                announce, from: PeerEndpoint(address: address, port: request.port), now: WallClock.seconds(),
                rng: &loop.rng, peers: &raw, at: 0)
        }
        if let refusal = outcome.refusal {
            swap(&buffer, &loop.peerBuffer)
            loop.statistics.count(.announce, .failureReason)
            let reason: HTTPFailureReason = refusal == .newTorrentRate ? .tooManyNewTorrents : .trackerFull
            return respond(.ok, contentType: .plain, body: HTTPBencode.failure(reason.message), head: head, context: context)
        }
        if outcome.worthSyncing, let sync = loop.sync {
            sync.push(LivesyncEntry.change(
                request.infoHash, PeerEndpoint(address: address, port: request.port), event: request.event,
                isSeeder: request.isSeeder))
        }
        let counts = HTTPBencode.AnnounceCounts(
            seeders: outcome.seeders, leechers: outcome.leechers, downloaded: outcome.downloaded,
            interval: shared.intervals.interval(rng: &loop.rng))
        let peerBytes = buffer[0..<(outcome.peerCount * peerSize)]
        let stopped = request.event == .stopped
        let body =
            request.compact
            ? HTTPBencode.announce(counts, compactPeers: peerBytes, ipv6: isIPv6, stopped: stopped)
            : HTTPBencode.announceDictionary(counts, compactPeers: Array(peerBytes), peerSize: peerSize, stopped: stopped)
        swap(&buffer, &loop.peerBuffer)
        loop.statistics.count(.announce, .ok)
        loop.statistics.count(.peersReturned, by: UInt64(outcome.peerCount))
        if outcome.decoys > 0 { loop.statistics.count(.decoyPeers, by: UInt64(outcome.decoys)) }
        if request.event == .completed { loop.statistics.count(.completed) }
        if let minutes = outcome.renewedAfterMinutes { loop.statistics.countRenewal(after: minutes, from: address) }
        respond(.ok, contentType: .plain, body: body, head: head, context: context)
    }
}
