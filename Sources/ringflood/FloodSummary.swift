import Foundation

/// The final result of one run: what --json prints and what the RESULT line carries.
struct FloodSummary: Codable, Sendable {
    var target: String
    var mode: String                 // "closed" or "open"
    var window: Int
    var offeredRate: Double?
    var torrents: Int
    var peers: Int
    var seconds: Double
    var warmupSeconds: Double
    var warmupComplete: Bool
    var sentPerSecond: Double
    var responsesPerSecond: Double
    var announcesPerSecond: Double
    var scrapesPerSecond: Double
    var connectsPerSecond: Double
    var errors: UInt64
    var errorReplies: UInt64
    var badAction: UInt64
    var badLength: UInt64
    var unknownTID: UInt64
    var lost: UInt64
    var sendRefused: UInt64
    var windowFull: UInt64
    var peersPerAnnounce: Double
    var latencyMicroseconds: Latency
    var floodCPUPercent: Double
    var trackerPID: Int32?
    var trackerCPUPercent: Double?
    var trackerCPUMicrosecondsPerResponse: Double?
    var trackerRSSKiB: Int?
    var udpReceiveBufferErrors: UInt64?
    /// Counts of the measured phase.
    var counts: FloodCounts
    /// Counts of the whole run, warm-up included.
    var totalCounts: FloodCounts

    struct Latency: Codable, Sendable {
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
        var mean: Double
    }

    static func latency(_ histogram: LatencyHistogram) -> Latency {
        func us(_ value: UInt64) -> Double { (Double(value) / 1000).rounded(toPlaces: 1) }
        guard histogram.totalCount > 0 else { return Latency(p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0) }
        return Latency(p50: us(histogram.valueAtPercentile(50)), p90: us(histogram.valueAtPercentile(90)),
                       p99: us(histogram.valueAtPercentile(99)), p999: us(histogram.valueAtPercentile(99.9)),
                       max: us(histogram.max), mean: (histogram.mean / 1000).rounded(toPlaces: 1))
    }

    /// One line of key=value pairs, like flood2's RESULT line, for grep and scripts.
    var resultLine: String {
        var parts = [
            "sent_per_s=\(Int(sentPerSecond.rounded()))",
            "recv_per_s=\(Int(responsesPerSecond.rounded()))",
            "announce_per_s=\(Int(announcesPerSecond.rounded()))",
            "scrape_per_s=\(Int(scrapesPerSecond.rounded()))",
            "connect_per_s=\(Int(connectsPerSecond.rounded()))",
            "errors=\(errors)", "err_replies=\(errorReplies)", "bad_action=\(badAction)", "bad_len=\(badLength)",
            "unknown_tid=\(unknownTID)", "lost=\(lost)", "send_refused=\(sendRefused)", "window_full=\(windowFull)",
            "p50_us=\(latencyMicroseconds.p50)", "p90_us=\(latencyMicroseconds.p90)", "p99_us=\(latencyMicroseconds.p99)",
            "p999_us=\(latencyMicroseconds.p999)", "max_us=\(latencyMicroseconds.max)",
            "secs=\(String(format: "%.3f", seconds))", "warmup_s=\(String(format: "%.2f", warmupSeconds))",
            "warmup_complete=\(warmupComplete ? 1 : 0)",
            "peers_per_announce=\(String(format: "%.2f", peersPerAnnounce))",
            "flood_cpu_pct=\(String(format: "%.1f", floodCPUPercent))",
        ]
        if let trackerCPUPercent { parts.append("srv_cpu_pct=\(String(format: "%.1f", trackerCPUPercent))") }
        if let trackerCPUMicrosecondsPerResponse {
            parts.append("srv_cpu_us_per_resp=\(String(format: "%.3f", trackerCPUMicrosecondsPerResponse))")
        }
        if let trackerRSSKiB { parts.append("srv_rss_kb=\(trackerRSSKiB)") }
        if let udpReceiveBufferErrors { parts.append("udp_rcvbuf_errors=\(udpReceiveBufferErrors)") }
        return "RESULT " + parts.joined(separator: " ")
    }

    var humanReadable: String {
        var lines = [String]()
        lines.append("ringflood → \(target): \(mode) loop" + (offeredRate.map { " at \(Int($0)) req/s" } ?? ", window \(window)")
                     + String(format: ", %.2f s measured after %.2f s warm-up%@", seconds, warmupSeconds,
                              warmupComplete ? "" : " (warm-up INCOMPLETE: not every peer announced)"))
        lines.append(String(format: "  responses/s %10.0f   (announce %.0f, scrape %.0f, connect %.0f); sent/s %.0f",
                            responsesPerSecond, announcesPerSecond, scrapesPerSecond, connectsPerSecond, sentPerSecond))
        lines.append("  errors \(errors) (error replies \(errorReplies), bad action \(badAction), bad length \(badLength), unknown tid \(unknownTID)), lost \(lost), send refused \(sendRefused), window full \(windowFull)")
        lines.append(String(format: "  latency µs   p50 %.1f   p90 %.1f   p99 %.1f   p99.9 %.1f   max %.1f",
                            latencyMicroseconds.p50, latencyMicroseconds.p90, latencyMicroseconds.p99,
                            latencyMicroseconds.p999, latencyMicroseconds.max))
        lines.append(String(format: "  peers per announce %.2f; ringflood CPU %.1f %%", peersPerAnnounce, floodCPUPercent))
        if let trackerPID, let trackerCPUPercent, let perResponse = trackerCPUMicrosecondsPerResponse {
            lines.append(String(format: "  tracker pid %d: CPU %.1f %%, %.3f µs per response, RSS %d KiB",
                                trackerPID, trackerCPUPercent, perResponse, trackerRSSKiB ?? -1))
        }
        return lines.joined(separator: "\n")
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = Foundation.pow(10.0, Double(places))
        return (self * scale).rounded() / scale
    }
}
