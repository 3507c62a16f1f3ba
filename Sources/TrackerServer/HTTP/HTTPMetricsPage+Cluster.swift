import Prometheus
import TrackerCore
import TrackerIO

extension HTTPMetricsPage {
    /// Cluster sync series: packets, peers and bytes by direction, drops by reason, the age of
    /// each node's last accepted packet (an alert on it finds a silent node).
    func clusterSeries(_ registry: PrometheusCollectorRegistry, _ cluster: ClusterStatistics) {
        let directions: [(String, UInt64, UInt64, UInt64)] = [
            ("sent", cluster.packetsSent.load(ordering: .relaxed), cluster.peersSent.load(ordering: .relaxed),
             cluster.bytesSent.load(ordering: .relaxed)),
            ("received", cluster.packetsReceived.load(ordering: .relaxed), cluster.peersReceived.load(ordering: .relaxed),
             cluster.bytesReceived.load(ordering: .relaxed)),
        ]
        for (direction, packets, peers, bytes) in directions {
            counter(registry, "ringtracker_cluster_packets_total", "Cluster sync packets, by direction (received: accepted)",
                    [("direction", direction)], packets)
            counter(registry, "ringtracker_cluster_peers_total", "Peer changes in cluster sync packets, by direction",
                    [("direction", direction)], peers)
            counter(registry, "ringtracker_cluster_bytes_total", "Cluster sync payload bytes, by direction (received: all)",
                    [("direction", direction)], bytes)
        }
        for reason in LivesyncDrop.allCases {
            counter(registry, "ringtracker_cluster_dropped_total", "Cluster sync packets dropped, by reason",
                    [("reason", reason.label)], cluster.dropped(reason))
        }
        counter(registry, "ringtracker_cluster_send_failures_total", "Cluster sync sends that failed", [],
                cluster.sendFailures.load(ordering: .relaxed))
        counter(registry, "ringtracker_cluster_queue_overflows_total",
                "Peer changes lost because a worker's sync ring was full", [], cluster.queueOverflows.load(ordering: .relaxed))
        let now = WallClock.seconds()
        for (node, seconds) in cluster.lastPacketAges(now: now) {
            gauge(registry, "ringtracker_cluster_last_packet_age_seconds", "Seconds since the last accepted packet from a node",
                  [("node", node)], Int64(seconds))
        }
    }
}
