// BEP 3 HTTP announce parameters (opentracker's ot_http.c `http_handle_announce`). Peers are keyed by address and port, so
// `peer_id` is validated but not used; `key`, `uploaded`, `downloaded` and the rest are skipped.
public struct HTTPAnnounceRequest: Hashable, Sendable {
    public var infoHash: InfoHash
    public var peerID: PeerID?
    /// Absent → 0, as opentracker.
    public var port: UInt16
    /// Bytes left; nil when absent (a leecher, as opentracker).
    public var left: UInt64?
    public var event: AnnounceEvent
    /// Already clamped: default 50, negative → 50, capped at 200.
    public var numWant: Int
    /// `compact=0` asks for the BEP 3 list of dictionaries; anything else (or absent) is compact.
    public var compact: Bool
    public var noPeerID: Bool
    /// The `ip` parameter when it parsed; honoured only for trusted sources (the server decides).
    public var ip: HTTPAddressLiteral?

    public init(
        infoHash: InfoHash, peerID: PeerID? = nil, port: UInt16 = 0, left: UInt64? = nil,
        event: AnnounceEvent = .none, numWant: Int = HTTPLimits.defaultNumWant, compact: Bool = true,
        noPeerID: Bool = false, ip: HTTPAddressLiteral? = nil
    ) {
        self.infoHash = infoHash
        self.peerID = peerID
        self.port = port
        self.left = left
        self.event = event
        self.numWant = numWant
        self.compact = compact
        self.noPeerID = noPeerID
        self.ip = ip
    }

    /// A seeder has nothing left; a client that does not say is a leecher.
    public var isSeeder: Bool { left == 0 }
}

public enum HTTPAnnounceParseResult: Hashable, Sendable {
    case request(HTTPAnnounceRequest)
    case failure(HTTPFailureReason)
    case invalid(HTTPInvalidReason)
}

extension HTTPAnnounceRequest {
    /// Never traps or throws on input: every outcome is a value.
    public static func parse(query: ArraySlice<UInt8>?) -> HTTPAnnounceParseResult {
        var infoHash: InfoHash?
        var hashWasBad = false
        var request = HTTPAnnounceRequest(infoHash: InfoHash(bytes: [UInt8](repeating: 0, count: 20)))
        var invalid: HTTPInvalidReason?
        var numWant: Int64?
        HTTPQuery.forEachPair(query ?? []) { key, value in
            func fail(_ reason: HTTPInvalidReason) -> Bool {
                invalid = reason
                return false
            }
            switch key.first {
            case UInt8(ascii: "i"):
                if HTTPQuery.key(key, is: "info_hash") {
                    guard infoHash == nil, !hashWasBad else { return fail(.duplicateInfoHash) }
                    guard let bytes = HTTPQuery.percentDecoded(value) else { return fail(.badPercentEncoding) }
                    if bytes.count == 20 { infoHash = InfoHash(bytes: bytes) } else { hashWasBad = true }
                } else if HTTPQuery.key(key, is: "ip") {
                    guard let bytes = HTTPQuery.percentDecoded(value) else { return fail(.badPercentEncoding) }
                    request.ip = HTTPAddressLiteral(parsing: bytes)
                }
            case UInt8(ascii: "p"):
                if HTTPQuery.key(key, is: "peer_id") {
                    guard let bytes = HTTPQuery.percentDecoded(value) else { return fail(.badPercentEncoding) }
                    guard bytes.count == 20 else { return fail(.badPeerID) }
                    request.peerID = PeerID(bytes: bytes)
                } else if HTTPQuery.key(key, is: "port") {
                    guard let port = HTTPQuery.unsigned(value), port <= UInt64(UInt16.max) else { return fail(.badPort) }
                    request.port = UInt16(port)
                }
            case UInt8(ascii: "l"):
                if HTTPQuery.key(key, is: "left") {
                    guard let left = HTTPQuery.unsigned(value) else { return fail(.badLeft) }
                    request.left = left
                }
            case UInt8(ascii: "e"):
                if HTTPQuery.key(key, is: "event") {
                    // `started`, empty and unknown events are a regular announce (opentracker).
                    if HTTPQuery.key(value, is: "completed") {
                        request.event = .completed
                    } else if HTTPQuery.key(value, is: "stopped") {
                        request.event = .stopped
                    } else if HTTPQuery.key(value, is: "started") {
                        request.event = .started
                    } else {
                        request.event = .none
                    }
                }
            case UInt8(ascii: "n"):
                if HTTPQuery.key(key, is: "numwant") {
                    guard let wanted = HTTPQuery.signed(value) else { return fail(.badNumWant) }
                    numWant = wanted
                } else if HTTPQuery.key(key, is: "no_peer_id") {
                    request.noPeerID = !HTTPQuery.key(value, is: "0")
                }
            case UInt8(ascii: "c"):
                if HTTPQuery.key(key, is: "compact") {
                    guard let flag = HTTPQuery.unsigned(value) else { return fail(.badCompact) }
                    request.compact = flag != 0
                }
            default:
                break
            }
            return true
        }
        if let invalid { return .invalid(invalid) }
        if hashWasBad { return .failure(.badInfoHash) }
        guard let infoHash else { return .failure(.missingInfoHash) }
        guard request.port != 0 else { return .failure(.badPort) }
        request.infoHash = infoHash
        request.numWant = HTTPLimits.clampNumWant(numWant)
        return .request(request)
    }
}
