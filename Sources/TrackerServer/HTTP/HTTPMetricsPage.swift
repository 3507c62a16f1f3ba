import Prometheus
import TrackerCore
import TrackerProtocol

/// `/metrics`: Prometheus text exposition, built fresh per scrape from the published counters
/// (relaxed loads) and one walk of the store. A scrape every 15 s costs one statistics() walk.
struct HTTPMetricsPage {
    let shared: HTTPShared

    func render() -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        let udp = shared.statistics.udpWorkers()
        let http = shared.loopStatistics

        registry.makeGauge(
            name: "ringtracker_build_info", labels: [("version", RingTrackerVersion.string)],
            help: "RingTracker build; the value is always 1"
        ).set(1)
        registry.makeGauge(name: "ringtracker_uptime_seconds", help: "Seconds since the tracker started")
            .set(Int64(WallClock.seconds() &- shared.statistics.startedAt))

        let responsesHelp = "Requests answered, by protocol, action and outcome"
        for (worker, statistics) in udp.enumerated() {
            for outcome in UDPOutcome.allCases {
                let (action, result) = outcome == .error ? ("request", "error") : ("\(outcome)", "ok")
                counter(registry, "ringtracker_responses_total", responsesHelp,
                        [("protocol", "udp"), ("action", action), ("outcome", result), ("worker", "\(worker)")],
                        statistics.responses(outcome))
            }
            for drop in UDPDrop.allCases {
                counter(registry, "ringtracker_udp_drops_total", "UDP datagrams dropped without an answer, by reason",
                        [("reason", "\(drop)"), ("worker", "\(worker)")], statistics.drops(drop))
            }
            counter(registry, "ringtracker_received_bytes_total", "Payload bytes received",
                    [("protocol", "udp"), ("worker", "\(worker)")], statistics.receivedBytes)
            counter(registry, "ringtracker_sent_bytes_total", "Payload bytes sent",
                    [("protocol", "udp"), ("worker", "\(worker)")], statistics.sentBytes)
        }
        for (worker, statistics) in http.enumerated() {
            for action in HTTPAction.allCases {
                for outcome in HTTPOutcome.allCases {
                    let value = statistics.value(action, outcome)
                    // Impossible cells (e.g. a redirected announce) stay out of the exposition.
                    guard value > 0 || outcome == .ok else { continue }
                    counter(registry, "ringtracker_responses_total", responsesHelp,
                            [("protocol", "http"), ("action", action.label), ("outcome", outcome.label), ("worker", "\(worker)")],
                            value)
                }
            }
            counter(registry, "ringtracker_received_bytes_total", "Payload bytes received",
                    [("protocol", "http"), ("worker", "\(worker)")], statistics.value(.bytesIn))
            counter(registry, "ringtracker_sent_bytes_total", "Payload bytes sent",
                    [("protocol", "http"), ("worker", "\(worker)")], statistics.value(.bytesOut))
        }
        for reason in HTTPInvalidReason.allCases {
            counter(registry, "ringtracker_http_invalid_requests_total", "HTTP requests answered 400, by reason",
                    [("reason", reason.label)], http.total(reason))
        }
        for event in [HTTPEvent.accepted, .rejectedOverLimit, .idleTimeout] {
            counter(registry, "ringtracker_http_connections_total", "TCP connections, by what happened to them",
                    [("event", event.label)], http.total(event))
        }
        counter(registry, "ringtracker_http_gzip_full_scrapes_total", "Full scrapes sent gzip-compressed", [],
                http.total(.gzipFullScrapes))
        counter(registry, "ringtracker_completed_total", "HTTP announces with event=completed", [("protocol", "http")],
                http.total(.completed))
        registry.makeGauge(name: "ringtracker_http_open_connections", help: "Open HTTP connections")
            .set(Int64(shared.openConnections.value.load(ordering: .relaxed)))

        let totals = shared.store.statistics()
        registry.makeGauge(name: "ringtracker_torrents", help: "Torrents in the store").set(Int64(totals.torrents))
        registry.makeGauge(name: "ringtracker_peers", labels: [("family", "ipv4")], help: "Peers in the store, by family")
            .set(Int64(totals.peers4))
        registry.makeGauge(name: "ringtracker_peers", labels: [("family", "ipv6")], help: "Peers in the store, by family")
            .set(Int64(totals.peers6))
        registry.makeGauge(name: "ringtracker_seeders", help: "Seeding peers").set(Int64(totals.seeders))
        registry.makeGauge(name: "ringtracker_leechers", help: "Leeching peers").set(Int64(totals.leechers))

        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }

    private func counter(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)],
        _ value: UInt64
    ) {
        let counter =
            labels.isEmpty
            ? registry.makeCounter(name: name, help: help)
            : registry.makeCounter(name: name, labels: labels, help: help)
        counter.increment(by: Int64(clamping: value))
    }
}
