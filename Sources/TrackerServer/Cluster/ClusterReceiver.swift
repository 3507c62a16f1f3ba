import TrackerCore

/// Decides what to do with one received sync datagram and applies its peers to the store.
/// No sockets: the sync thread feeds it, tests feed it forged bytes. Owned by one receive thread.
final class ClusterReceiver {
    let store: TorrentStore
    let statistics: ClusterStatistics
    let ownTrackerID: UInt32
    let allow: [CIDR]
    let authenticator: ClusterAuthenticator?
    let insecure: Bool
    /// Per sender tracker id; bounded (a forged id needs a valid MAC, so only keyed nodes add ids).
    private var windows: [UInt32: ReplayWindow] = [:]
    static let maximumSenders = 1024

    init(store: TorrentStore, statistics: ClusterStatistics, ownTrackerID: UInt32, allow: [CIDR],
         authenticator: ClusterAuthenticator?, insecure: Bool) {
        self.store = store
        self.statistics = statistics
        self.ownTrackerID = ownTrackerID
        self.allow = allow
        self.authenticator = authenticator
        self.insecure = insecure
    }

    func isAllowed(_ address: PeerAddress) -> Bool { allow.containsAddress(address) }

    /// Returns the number of peers applied (0 for a dropped packet; every drop is counted).
    @discardableResult
    func receive(_ packet: ArraySlice<UInt8>, from source: PeerAddress, sourceName: String, now: UInt32) -> Int {
        statistics.bytesReceived.add(UInt64(packet.count), ordering: .relaxed)
        guard isAllowed(source) else { return drop(.notAllowed) }
        let bytes = Array(packet)
        let parsed: LivesyncPacket
        switch LivesyncPacket.parse(bytes.span) {
        case .drop(let reason): return drop(reason)
        case .packet(let packet): parsed = packet
        }
        guard parsed.trackerID != ownTrackerID else { return drop(.own) }
        if let trailer = parsed.trailer, let authenticator {
            guard authenticator.isAuthentic(bytes[...], trailer: trailer) else { return drop(.badMAC) }
            guard ClusterAuthenticator.isFresh(trailer.timestamp, now: now) else { return drop(.stale) }
            if windows[parsed.trackerID] == nil, windows.count >= Self.maximumSenders { windows.removeAll() }
            guard windows[parsed.trackerID, default: ReplayWindow()].accept(trailer.sequence) else {
                return drop(.replayed)
            }
        } else if !insecure {
            // A trailer we cannot check (no key) or no trailer at all: only --cluster-insecure takes it.
            return drop(authenticator == nil ? .unsigned : (parsed.trailer == nil ? .unsigned : .badMAC))
        }
        if parsed.strayBytes != 0 { statistics.countDrop(.truncatedEntry) }
        for index in 0..<parsed.entryCount {
            store.applySynced(parsed.entry(at: index, in: bytes.span), now: now)
        }
        statistics.packetsReceived.add(1, ordering: .relaxed)
        statistics.peersReceived.add(UInt64(parsed.entryCount), ordering: .relaxed)
        statistics.noteAccepted(from: sourceName, at: now)
        return parsed.entryCount
    }

    private func drop(_ reason: LivesyncDrop) -> Int {
        statistics.countDrop(reason)
        return 0
    }
}
