import FuzzSupport
import TrackerCore
import TrackerProtocol
@testable import TrackerServer

/// An HTTP request target (`/announce?info_hash=…`) through everything that reads it: the split at
/// `?`, opentracker's prefix routing, the announce, scrape, stats and full-scrape query parsers,
/// percent-decoding, `ip=` / `X-Forwarded-For` address parsing and the proxy walk.
///
/// Checked: the split loses no byte; routing ignores extra leading slashes; every parsed request
/// re-encoded as a canonical query parses to the same request; parsed values are within their
/// clamps (numwant ≤ 200, 1…64 distinct sorted scrape hashes, port ≠ 0); percent-decoding never
/// grows and round-trips; an address literal formats and re-parses to itself and agrees with the
/// settings' address parser (`IPAddressText`, used for CIDRs and listeners); the `X-Forwarded-For`
/// walk (values of `xff=` pairs) returns the proxy or the right-most untrusted hop.
enum HTTPFuzz {
    static func run(_ target: [UInt8]) {
        let (path, query) = HTTPRoute.split(target: target)
        if let query {
            invariant(!path.contains(UInt8(ascii: "?")) && Array(path) + [UInt8(ascii: "?")] + Array(query) == target,
                      "split at the first ? lost bytes")
        } else {
            invariant(!target.contains(UInt8(ascii: "?")) && Array(path) == target, "no query, yet the path differs")
        }
        let route = HTTPRoute.route(path: path, query: query, statsPath: "stats")
        let slashed = [UInt8(ascii: "/")] + Array(path)
        invariant(HTTPRoute.route(path: slashed[...], query: query, statsPath: "/stats") == route, "a leading / changed the route")

        checkAnnounce(query)
        checkScrape(query)
        checkStats(query)
        var forwarded: [String] = []
        HTTPQuery.forEachPair(query ?? []) { key, value in
            guard let decoded = HTTPQuery.percentDecoded(value) else { return true }
            invariant(decoded.count <= value.count, "percent-decoding grew \(value.count) B to \(decoded.count) B")
            invariant(HTTPQuery.percentDecoded(percentEncoded(decoded)[...]) == decoded, "percent-encoding does not round-trip")
            checkAddress(decoded)
            if HTTPQuery.key(key, is: "xff") { forwarded.append(String(decoding: decoded, as: UTF8.self)) }
            return true
        }
        checkForwarded(forwarded)
    }

    static func checkAnnounce(_ query: ArraySlice<UInt8>?) {
        guard case .request(let request) = HTTPAnnounceRequest.parse(query: query) else { return }
        invariant(request.port != 0, "announce accepted with port 0")
        invariant((0...HTTPLimits.maxNumWant).contains(request.numWant), "numwant \(request.numWant) not clamped")
        var text = "info_hash=" + percentEncodedText(request.infoHash.bytes) + "&port=\(request.port)"
        if let peerID = request.peerID { text += "&peer_id=" + percentEncodedText(peerID.bytes) }
        if let left = request.left { text += "&left=\(left)" }
        switch request.event {
        case .none: break
        case .started: text += "&event=started"
        case .completed: text += "&event=completed"
        case .stopped: text += "&event=stopped"
        }
        text += "&numwant=\(request.numWant)&compact=\(request.compact ? 1 : 0)&no_peer_id=\(request.noPeerID ? 1 : 0)"
        if let ip = request.ip { text += "&ip=" + format(ip) }
        let reparsed = HTTPAnnounceRequest.parse(query: Array(text.utf8)[...])
        invariant(reparsed == .request(request), "announce \(request) re-encoded as \(text) parses as \(reparsed)")
    }

    static func checkScrape(_ query: ArraySlice<UInt8>?) {
        guard case .request(let request) = HTTPScrapeRequest.parse(query: query) else { return }
        let hashes = request.infoHashes
        invariant(!hashes.isEmpty && hashes.count <= HTTPLimits.maxScrapeHashes, "\(hashes.count) scrape hashes")
        invariant(zip(hashes, hashes.dropFirst()).allSatisfy { $0 < $1 }, "scrape hashes not sorted and distinct")
        let text = hashes.map { "info_hash=" + percentEncodedText($0.bytes) }.joined(separator: "&")
        invariant(HTTPScrapeRequest.parse(query: Array(text.utf8)[...]) == .request(request), "scrape does not round-trip")
    }

    static func checkStats(_ query: ArraySlice<UInt8>?) {
        if case .mode(let mode, let format) = HTTPStatsRequest.parse(query: query) {
            let text = "mode=\(mode.rawValue)" + (format.map { "&format=\($0.rawValue)" } ?? "")
            invariant(HTTPStatsRequest.parse(query: Array(text.utf8)[...]) == .mode(mode, format: format), "stats mode does not round-trip")
        }
        if case .format(let format) = HTTPFullScrapeFormat.parse(query: query) {
            invariant(format != .statedump, "statedump accepted as a full scrape format")
            let text = "format=\(format.rawValue)"
            invariant(HTTPFullScrapeFormat.parse(query: Array(text.utf8)[...]) == .format(format), "format does not round-trip")
        }
    }

    /// `ip=` and `X-Forwarded-For` text, and the settings parser on the same text.
    static func checkAddress(_ text: [UInt8]) {
        let literal = HTTPAddressLiteral(parsing: text)
        if let literal {
            let formatted = format(literal)
            invariant(HTTPAddressLiteral(parsing: formatted.utf8) == literal, "\(literal) formats as \(formatted), which reads back differently")
            invariant(HTTPAddressLiteral(parsing: " [\(formatted)]\t".utf8) == literal, "brackets or spaces change \(formatted)")
        }
        // The settings parser takes bare text only (no brackets, no spaces) and keeps IPv4-mapped
        // IPv6 as IPv6; on that common ground the two must agree.
        guard let string = String(validating: text, as: UTF8.self),
            !text.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "[") })
        else { return }
        let settings: HTTPAddressLiteral?
        if let v4 = IPAddressText.parseIPv4(text) {
            settings = .v4(v4)
        } else if let v6 = IPAddressText.parseIPv6(text) {
            settings = IPAddressText.mappedIPv4(high: v6.high, low: v6.low).map { .v4($0) } ?? .v6(high: v6.high, low: v6.low)
        } else {
            settings = nil
        }
        invariant(settings == literal, "'\(string)': ip=/X-Forwarded-For reads \(String(describing: literal)), settings read \(String(describing: settings))")
    }

    /// Trusted proxies: 10.0.0.0/8 and fd00::/8; the TCP peer is 10.0.0.1.
    static func checkForwarded(_ values: [String]) {
        let trusted = [CIDR("10.0.0.0/8")!, CIDR("fd00::/8")!]
        let proxy = PeerAddress.v4(IPv4Address(10, 0, 0, 1))
        let client = HTTPPeerAddress.forwardedClient(values, behind: proxy) { trusted.containsAddress($0) }
        // Reference: hops right to left; stop at the first unparsable entry or untrusted address.
        var expected = proxy
        walk: for value in values.reversed() {
            for entry in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).reversed() {
                guard let literal = HTTPAddressLiteral(parsing: entry) else { break walk }
                expected = HTTPPeerAddress.peerAddress(literal)
                if !trusted.containsAddress(expected) { break walk }
            }
        }
        invariant(client == expected, "X-Forwarded-For \(values) gives \(client), expected \(expected)")
    }

    static func format(_ literal: HTTPAddressLiteral) -> String {
        switch literal {
        case .v4(let value):
            return [24, 16, 8, 0].map { String(value >> UInt32($0) & 0xFF) }.joined(separator: ".")
        case .v6(let high, let low):
            let groups = [high, low].flatMap { word in [48, 32, 16, 0].map { String(word >> UInt64($0) & 0xFFFF, radix: 16) } }
            return groups.joined(separator: ":")
        }
    }

    static func percentEncoded(_ bytes: [UInt8]) -> [UInt8] {
        Array(percentEncodedText(bytes).utf8)
    }

    static func percentEncodedText(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { ["%", digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }
}
