// `/stats?mode=…` (opentracker.md §4). Only modes RingTracker implements are accepted; any other
// mode is a 400 rather than opentracker's hang (`tpbs` without `format`) or 500 (`busy`).
public enum HTTPStatsMode: String, CaseIterable, Hashable, Sendable {
    case peer, torr, conn, udp4, tcp4, scrp, completed, top10, top100, version, everything, syncs
}

public enum HTTPStatsParseResult: Hashable, Sendable {
    case mode(HTTPStatsMode)
    case invalid(HTTPInvalidReason)
}

public enum HTTPStatsRequest {
    public static func parse(query: ArraySlice<UInt8>?) -> HTTPStatsParseResult {
        var mode = HTTPStatsMode.peer
        var invalid: HTTPInvalidReason?
        HTTPQuery.forEachPair(query ?? []) { key, value in
            if HTTPQuery.key(key, is: "info_hash") {
                // An announce URL pointed at /stats: refuse loudly (opentracker's anti-misconfiguration).
                invalid = .infoHashOnStats
                return false
            }
            guard HTTPQuery.key(key, is: "mode") else { return true }
            guard let decoded = HTTPQuery.percentDecoded(value),
                let parsed = HTTPStatsMode(rawValue: String(decoding: decoded, as: UTF8.self))
            else {
                invalid = .unknownStatsMode
                return false
            }
            mode = parsed
            return true
        }
        if let invalid { return .invalid(invalid) }
        return .mode(mode)
    }
}
