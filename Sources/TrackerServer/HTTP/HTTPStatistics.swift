import Synchronization
import TrackerCore
import TrackerIO
import TrackerProtocol

/// What an HTTP request was for (the route it took).
public enum HTTPAction: Int, CaseIterable, Sendable {
    case announce, scrape, fullScrape, stats, metrics, root, other

    var label: String {
        switch self {
        case .announce: "announce"
        case .scrape: "scrape"
        case .fullScrape: "full_scrape"
        case .stats: "stats"
        case .metrics: "metrics"
        case .root: "root"
        case .other: "other"
        }
    }
}

/// How it was answered. Every request lands in exactly one (action, outcome) cell.
public enum HTTPOutcome: Int, CaseIterable, Sendable {
    case ok, redirect, failureReason, denied, badRequest, forbidden, notFound, tooManyRequests, headTooLarge

    var label: String {
        switch self {
        case .ok: "ok"
        case .redirect: "redirect"
        case .failureReason: "failure_reason"
        case .denied: "denied"
        case .badRequest: "bad_request"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .tooManyRequests: "too_many_requests"
        case .headTooLarge: "header_too_large"
        }
    }
}

/// Per-connection and traffic counters outside the request matrix.
public enum HTTPEvent: Int, CaseIterable, Sendable {
    case accepted, rejectedOverLimit, idleTimeout, completed, bytesIn, bytesOut, peersReturned, gzipFullScrapes
    /// A request the HTTP decoder could not parse: answered 400 and the connection closed.
    case malformed
    /// accept(2) failed for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): the
    /// listener stopped accepting for `HTTPFront.acceptBackoff` instead of spinning.
    case acceptPaused
    /// Closed on accept: the client's network already had `maxConnectionsPerAddress` open.
    case rejectedPerAddress
    /// Closed because a request head was not complete within `headTimeout` (slowloris).
    case headTimeout
    /// Full-scrape body bytes sent (`/scrape`, `mode=tpbs`, `mode=statedump`), for `mode=fscr`.
    case fullScrapeBytes
    case zstdFullScrapes
    /// Decoy peers sent in announce replies (`DecoyPolicy`).
    case decoyPeers

    var label: String {
        switch self {
        case .accepted: "accepted"
        case .rejectedOverLimit: "rejected_over_limit"
        case .idleTimeout: "idle_timeout"
        case .completed: "completed"
        case .bytesIn: "bytes_in"
        case .bytesOut: "bytes_out"
        case .peersReturned: "peers_returned"
        case .gzipFullScrapes: "gzip_full_scrapes"
        case .malformed: "malformed_request"
        case .acceptPaused: "accept_paused"
        case .rejectedPerAddress: "rejected_per_address_limit"
        case .headTimeout: "head_timeout"
        case .fullScrapeBytes: "full_scrape_bytes"
        case .zstdFullScrapes: "zstd_full_scrapes"
        case .decoyPeers: "decoy_peers"
        }
    }
}

/// One event loop's HTTP counters. Only that loop's thread writes them, so an increment is a
/// relaxed load and a relaxed store (plain moves on x86-64 and arm64): no locked instruction and
/// no lock on the hot path; readers (stats, metrics) load them from any thread.
public final class HTTPStatistics: Sendable {
    private let cells: [AtomicCounter]
    private let events: [AtomicCounter]
    private let invalid: [AtomicCounter]
    /// Request latency on this loop (`ringtracker_http_request_duration_seconds`).
    public let latency = HTTPLatencyHistogram()
    private let renewals: [AtomicCounter]
    let woodpeckers = WoodpeckerTable()

    public init() {
        cells = (0..<(HTTPAction.allCases.count * HTTPOutcome.allCases.count)).map { _ in AtomicCounter() }
        events = HTTPEvent.allCases.map { _ in AtomicCounter() }
        invalid = HTTPInvalidReason.allCases.map { _ in AtomicCounter() }
        renewals = (0..<AnnounceRenewals.buckets).map { _ in AtomicCounter() }
    }

    /// A known peer announced again after `minutes` (opentracker's EVENT_RENEW / EVENT_WOODPECKER).
    func countRenewal(after minutes: UInt16, from address: PeerAddress) {
        Self.bump(renewals[AnnounceRenewals.bucket(minutes)], by: 1)
        if AnnounceRenewals.woodpeckerMinutes.contains(minutes), case .v4(let v4) = address {
            woodpeckers.record(v4, now: WallClock.seconds())
        }
    }

    public func renewed(bucket: Int) -> UInt64 { renewals[bucket].value.load(ordering: .relaxed) }

    /// Single writer only: the owning event loop.
    func count(_ action: HTTPAction, _ outcome: HTTPOutcome) {
        Self.bump(cells[action.rawValue * HTTPOutcome.allCases.count + outcome.rawValue], by: 1)
    }

    func count(_ event: HTTPEvent, by amount: UInt64 = 1) {
        Self.bump(events[event.rawValue], by: amount)
    }

    func count(_ reason: HTTPInvalidReason) {
        Self.bump(invalid[reason.rawValue], by: 1)
    }

    public func value(_ action: HTTPAction, _ outcome: HTTPOutcome) -> UInt64 {
        cells[action.rawValue * HTTPOutcome.allCases.count + outcome.rawValue].value.load(ordering: .relaxed)
    }

    public func value(_ event: HTTPEvent) -> UInt64 { events[event.rawValue].value.load(ordering: .relaxed) }

    public func value(_ reason: HTTPInvalidReason) -> UInt64 { invalid[reason.rawValue].value.load(ordering: .relaxed) }

    /// Single-writer increment: a relaxed load and store, no read-modify-write instruction.
    static func bump(_ counter: AtomicCounter, by amount: UInt64) {
        counter.value.store(counter.value.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }
}

extension [HTTPStatistics] {
    func total(_ action: HTTPAction, _ outcome: HTTPOutcome) -> UInt64 { reduce(0) { $0 &+ $1.value(action, outcome) } }
    func total(_ event: HTTPEvent) -> UInt64 { reduce(0) { $0 &+ $1.value(event) } }
    func total(_ reason: HTTPInvalidReason) -> UInt64 { reduce(0) { $0 &+ $1.value(reason) } }
    func total(_ action: HTTPAction) -> UInt64 { HTTPOutcome.allCases.reduce(0) { $0 &+ total(action, $1) } }
}
