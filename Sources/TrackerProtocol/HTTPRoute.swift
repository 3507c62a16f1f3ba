// opentracker's prefix routing (ot_http.c `http_handle_request`), so existing announce URLs keep working:
// leading slashes skipped, the path percent-decoded up to `?`, then
//   exact stats path → stats, exact `metrics` → metrics (checked first, so a stats path starting
//   with `a` cannot be shadowed), `a…` → announce (`/announce`, `/announce.php`, `/a`),
//   exact `scrape` → full scrape (unless the query names an info_hash), `sc…` → scrape,
//   empty → root (302 or 404), anything else (and a bad `%xx` in the path) → not found.
public enum HTTPRoute: Hashable, Sendable {
    case announce
    case scrape
    case fullScrape
    case stats
    case metrics
    /// `cluster-state`: a cluster node's state transfer (docs/CLUSTER.md).
    case clusterState
    case root
    case notFound

    /// The target split at the first `?`: the raw query (without `?`), nil when there is none.
    public static func split(target: [UInt8]) -> (path: ArraySlice<UInt8>, query: ArraySlice<UInt8>?) {
        guard let mark = target.firstIndex(of: UInt8(ascii: "?")) else { return (target[...], nil) }
        return (target[..<mark], target[(mark + 1)...])
    }

    public static func route(path rawPath: ArraySlice<UInt8>, query: ArraySlice<UInt8>?, statsPath: String) -> HTTPRoute {
        var path = rawPath
        while path.first == UInt8(ascii: "/") { path = path.dropFirst() }
        // Most paths have no escapes: compare the slice itself, no decoded copy per request.
        let decoded: ArraySlice<UInt8>
        if path.contains(UInt8(ascii: "%")) {
            guard let copy = HTTPQuery.percentDecoded(path) else { return .notFound }
            decoded = copy[...]
        } else {
            decoded = path
        }
        // Compared in place: no array per request for the fixed names.
        let stats = statsPath.utf8.drop(while: { $0 == UInt8(ascii: "/") })
        if decoded.isEmpty { return .root }
        if decoded.elementsEqual(stats) { return .stats }
        if decoded.elementsEqual("metrics".utf8) { return .metrics }
        if decoded.elementsEqual("cluster-state".utf8) { return .clusterState }
        if decoded.first == UInt8(ascii: "a") { return .announce }
        if decoded.elementsEqual("scrape".utf8) {
            guard let query else { return .fullScrape }
            var namesHash = false
            HTTPQuery.forEachPair(query) { key, _ in
                if HTTPQuery.key(key, is: "info_hash") { namesHash = true }
                return !namesHash
            }
            return namesHash ? .scrape : .fullScrape
        }
        if decoded.starts(with: "sc".utf8) { return .scrape }
        return .notFound
    }
}
