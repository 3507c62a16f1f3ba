// `/stats?mode=…&format=…` (opentracker's ot_stats.c): every mode of opentracker HEAD's `keywords_mode`.
// `numwants` is only compiled into opentracker with WANT_LOG_NUMWANT and is not offered. Unlike
// opentracker, `tpbs` without `format` answers `ben` instead of hanging, and `busy` answers
// instead of a 500.
public enum HTTPStatsMode: String, CaseIterable, Hashable, Sendable {
    case peer, conn, scrp, udp4, tcp4, busy, torr, fscr, s24s, tpbs, herr, completed, top100, top10, renew, syncs,
        version, everything, statedump, fulllog, woodpeckers
}

public enum HTTPStatsParseResult: Hashable, Sendable {
    /// `format` is given for `tpbs` (and accepted, unused, with any mode, as opentracker does).
    case mode(HTTPStatsMode, format: HTTPFullScrapeFormat?)
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
        let parsed = HTTPFullScrapeFormat.parseFormat(query: query)
        if let reason = parsed.invalid { return .invalid(reason) }
        return .mode(mode, format: parsed.format)
    }
}
