import TrackerProtocol

/// What ringflood asked for on one transaction.
enum RequestKind: UInt8, Sendable {
    case connect = 1
    case announce = 2
    case scrape = 3
}

/// The judgement on one reply whose transaction ID matched an outstanding request.
enum ReplyVerdict: Equatable, Sendable {
    case connect(ConnectionID)
    case announce(peers: Int)
    case scrape
    /// action 3: the tracker refused (e.g. an expired connection ID); the client reconnects.
    case errorReply
    /// An action that is neither the request's nor 3.
    case badAction
    /// Right action, wrong size: connect ≠ 16, announce ≠ 20 + 6k (or 18k) or more peers than
    /// asked for, scrape ≠ 8 + 12 × (hashes sent).
    case badLength
}

/// Checks replies the way a strict BEP 15 client would (flood2's rules; docs/BENCHMARKS.md).
enum ReplyValidator {
    /// `detail` is the number of hashes for a scrape and numwant for an announce.
    static func validate(_ packet: Span<UInt8>, expected: RequestKind, detail: Int, ipv6: Bool) -> ReplyVerdict {
        guard packet.count >= 8 else { return .badLength }
        let action = UInt32(packet[0]) << 24 | UInt32(packet[1]) << 16 | UInt32(packet[2]) << 8 | UInt32(packet[3])
        if action == UDPAction.error.rawValue { return .errorReply }
        let expectedAction: UDPAction = switch expected {
        case .connect: .connect
        case .announce: .announce
        case .scrape: .scrape
        }
        guard action == expectedAction.rawValue else { return .badAction }
        guard let response = UDPResponseParser.parse(packet, ipv6: ipv6) else { return .badLength }
        switch response {
        case .connect(_, let cid):
            return .connect(cid)
        case .announce(_, _, _, _, let peers):
            return peers <= max(detail, 0) || detail < 0 ? .announce(peers: peers) : .badLength
        case .scrape(_, let count):
            return count == detail ? .scrape : .badLength
        case .error:
            return .errorReply
        }
    }

    /// The transaction ID at bytes 4..<8, or nil when the datagram is too short to hold one.
    static func transactionID(_ packet: Span<UInt8>) -> UInt32? {
        guard packet.count >= 8 else { return nil }
        return UInt32(packet[4]) << 24 | UInt32(packet[5]) << 16 | UInt32(packet[6]) << 8 | UInt32(packet[7])
    }
}
