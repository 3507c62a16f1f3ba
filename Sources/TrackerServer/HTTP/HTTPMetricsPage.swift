import Prometheus
import TrackerCore
import TrackerIO
import TrackerProtocol

/// `/metrics`: Prometheus text exposition, built fresh per scrape from the published counters
/// (relaxed loads) and the store's running totals: a scrape costs O(shards), not O(torrents), on
/// an event loop that shares its CPU with a UDP worker.
struct HTTPMetricsPage {
    let shared: HTTPSharedServices

    func render() -> [UInt8] {
        let registry = PrometheusCollectorRegistry()
        let udp = shared.statistics.udpWorkers()
        let http = shared.loopStatistics

        gauge(registry, "ringtracker_build_info", "RingTracker build; the value is always 1",
              [("version", RingTrackerVersion.string)], 1)
        gauge(registry, "ringtracker_uptime_seconds", "Seconds since the tracker started", [],
              Int64(WallClock.seconds() &- shared.statistics.startedAt))

        let responsesHelp = "Requests answered, by protocol, action and outcome"
        for (worker, statistics) in udp.enumerated() {
            for outcome in UDPOutcome.allCases {
                let (action, result) =
                    switch outcome {
                    case .error: ("request", "error")
                    case .denied: ("announce", "denied")
                    default: ("\(outcome)", "ok")
                    }
                counter(registry, "ringtracker_responses_total", responsesHelp,
                        [("protocol", "udp"), ("action", action), ("outcome", result), ("worker", "\(worker)")],
                        statistics.responses(outcome))
            }
            for drop in UDPDropReason.allCases {
                counter(registry, "ringtracker_udp_drops_total", "UDP datagrams dropped without an answer, by reason",
                        [("reason", drop.label), ("worker", "\(worker)")], statistics.drops(drop))
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
        for event in [HTTPEvent.accepted, .rejectedOverLimit, .idleTimeout, .malformed, .acceptPaused,
                      .rejectedPerAddress, .headTimeout] {
            counter(registry, "ringtracker_http_connections_total", "TCP connections, by what happened to them",
                    [("event", event.label)], http.total(event))
        }
        counter(registry, "ringtracker_http_gzip_full_scrapes_total", "Full scrapes sent gzip-compressed", [],
                http.total(.gzipFullScrapes))
        counter(registry, "ringtracker_http_zstd_full_scrapes_total", "Full scrapes sent zstd-compressed", [],
                http.total(.zstdFullScrapes))
        let completedHelp = "Announces with event=completed, by protocol"
        counter(registry, "ringtracker_completed_total", completedHelp, [("protocol", "http")], http.total(.completed))
        counter(registry, "ringtracker_completed_total", completedHelp, [("protocol", "udp")],
                udp.reduce(0) { $0 &+ $1.completed })
        let decoyHelp = "Decoy peers mixed into announce replies (--decoy-peers), by protocol"
        counter(registry, "ringtracker_decoy_peers_total", decoyHelp, [("protocol", "http")], http.total(.decoyPeers))
        counter(registry, "ringtracker_decoy_peers_total", decoyHelp, [("protocol", "udp")],
                udp.reduce(0) { $0 &+ $1.decoysSent })
        gauge(registry, "ringtracker_http_open_connections", "Open HTTP connections", [],
              Int64(clamping: shared.openConnections.value.load(ordering: .relaxed)))

        let totals = shared.store.statistics()
        gauge(registry, "ringtracker_torrents", "Torrents in the store", [], Int64(totals.torrents))
        gauge(registry, "ringtracker_peers", "Peers in the store, by family", [("family", "ipv4")], Int64(totals.peers4))
        gauge(registry, "ringtracker_peers", "Peers in the store, by family", [("family", "ipv6")], Int64(totals.peers6))
        gauge(registry, "ringtracker_seeders", "Seeding peers", [], Int64(totals.seeders))
        gauge(registry, "ringtracker_leechers", "Leeching peers", [], Int64(totals.leechers))
        let limits = shared.store.totals
        for reason in AnnounceRefusal.allCases {
            counter(registry, "ringtracker_announce_refusals_total",
                    "Announces refused by a store limit (BEP 15 error / HTTP failure reason), by reason",
                    [("reason", reason.label)], limits.refusals(reason))
        }
        counter(registry, "ringtracker_peer_replacements_total",
                "Peers replaced at random to keep a swarm at --max-peers-per-torrent", [], limits.replacements)
        gauge(registry, "ringtracker_store_estimated_bytes", "The store's size as the --max-memory limit estimates it",
              [], Int64(limits.estimatedBytes))

        addProcessMetrics(registry)
        addEngineMetrics(registry, shared.statistics.udpEngines())
        if let cluster = shared.statistics.cluster { clusterSeries(registry, cluster) }

        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        bytes += http.map(\.latency).exposition(
            name: "ringtracker_http_request_duration_seconds",
            help: "HTTP requests, from the request head parsed to the first bytes of the response written").utf8
        return bytes
    }

    func counter(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)],
        _ value: UInt64
    ) {
        let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        let counter =
            labels.isEmpty
            ? registry.makeCounter(descriptor: descriptor)
            : registry.makeCounter(descriptor: descriptor, labels: labels)
        counter.increment(by: Int64(clamping: value))
    }

    func gauge(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)],
        _ value: Int64
    ) {
        let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        let gauge =
            labels.isEmpty
            ? registry.makeGauge(descriptor: descriptor)
            : registry.makeGauge(descriptor: descriptor, labels: labels)
        gauge.set(value)
    }
}
