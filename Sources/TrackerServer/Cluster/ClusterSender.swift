import TrackerCore

/// Batches queued peer changes into one packet per family and hands each packet out when it is
/// full or when its oldest entry has waited `flushDelay` seconds (opentracker: 15 s, fixed).
struct ClusterSender {
    private var builder4: LivesyncPacketBuilder
    private var builder6: LivesyncPacketBuilder
    /// Monotonic seconds at which the first entry of each pending packet arrived.
    private var since4: Double?
    private var since6: Double?
    private var sequence: UInt32 = 0
    let authenticator: ClusterAuthenticator?
    let flushDelay: Double

    init(trackerID: UInt32, authenticator: ClusterAuthenticator?, flushDelay: Double) {
        let signed = authenticator != nil
        builder4 = LivesyncPacketBuilder(trackerID: trackerID, ipv6: false, signed: signed)
        builder6 = LivesyncPacketBuilder(trackerID: trackerID, ipv6: true, signed: signed)
        self.authenticator = authenticator
        self.flushDelay = flushDelay
    }

    /// Adds one change; a packet filled by it is emitted at once.
    mutating func add(_ entry: LivesyncEntry, clock: Double, wallClock: UInt32, emit: (ArraySlice<UInt8>, Int) -> Void) {
        if entry.endpoint.address.isIPv6 {
            if builder6.isEmpty { since6 = clock }
            builder6.append(entry)
            if builder6.isFull { flush(ipv6: true, wallClock: wallClock, emit: emit) }
        } else {
            if builder4.isEmpty { since4 = clock }
            builder4.append(entry)
            if builder4.isFull { flush(ipv6: false, wallClock: wallClock, emit: emit) }
        }
    }

    /// Emits each family's packet whose oldest entry is due (or every pending one when `force`).
    mutating func flushDue(clock: Double, wallClock: UInt32, force: Bool = false, emit: (ArraySlice<UInt8>, Int) -> Void) {
        if let since4, force || clock - since4 >= flushDelay { flush(ipv6: false, wallClock: wallClock, emit: emit) }
        if let since6, force || clock - since6 >= flushDelay { flush(ipv6: true, wallClock: wallClock, emit: emit) }
    }

    private mutating func flush(ipv6: Bool, wallClock: UInt32, emit: (ArraySlice<UInt8>, Int) -> Void) {
        if ipv6 {
            Self.flush(&builder6, sequence: &sequence, authenticator: authenticator, wallClock: wallClock, emit: emit)
            since6 = nil
        } else {
            Self.flush(&builder4, sequence: &sequence, authenticator: authenticator, wallClock: wallClock, emit: emit)
            since4 = nil
        }
    }

    /// Emits (bytes, entry count) and empties the packet, in place (no copy of its buffer).
    private static func flush(
        _ builder: inout LivesyncPacketBuilder, sequence: inout UInt32, authenticator: ClusterAuthenticator?,
        wallClock: UInt32, emit: (ArraySlice<UInt8>, Int) -> Void
    ) {
        guard !builder.isEmpty else { return }
        if let authenticator {
            sequence &+= 1
            let macOffset = builder.sealHeader(timestamp: wallClock, sequence: sequence)
            builder.setMAC(authenticator.mac(builder.bytes[0..<macOffset]), at: macOffset)
        }
        emit(builder.bytes[0..<builder.packetLength(signed: authenticator != nil)], builder.entryCount)
        builder.reset()
    }
}
