import Foundation
import Testing
@testable import TrackerServer

@Suite("process, socket and latency metrics")
struct OperationsMetricsTests {
    @Test("/metrics carries Prometheus's standard process series and an HTTP latency histogram that counts requests")
    func processAndLatency() throws {
        let server = try HTTPTestServer()
        for _ in 0..<3 { _ = try server.client().get(announcePath(hashBytes(31), port: 1, left: 0)) }
        let text = try server.client().get("/metrics").text
        for series in [
            "# TYPE process_cpu_seconds_total counter", "process_cpu_seconds_total ",
            "# TYPE process_resident_memory_bytes gauge", "process_resident_memory_bytes ",
            "process_open_fds ", "process_max_fds ", "ringtracker_memory_limit_bytes ", "process_start_time_seconds ", "process_virtual_memory_bytes ",
            "# TYPE ringtracker_http_request_duration_seconds histogram",
            #"ringtracker_http_request_duration_seconds_bucket{le="5e-05"} "#,
        ] {
            #expect(text.contains(series), "missing \(series)")
        }
        // The three announces were answered before this scrape: the histogram holds them (the
        // /metrics request itself is timed only once its response is written).
        let lines = text.split(separator: "\n")
        let count = lines.first { $0.hasPrefix("ringtracker_http_request_duration_seconds_count ") }
        #expect(count.flatMap { UInt64($0.split(separator: " ")[1]) } == 3)
        let infinity = lines.first { $0.hasPrefix(#"ringtracker_http_request_duration_seconds_bucket{le="+Inf"} "#) }
        #expect(infinity.flatMap { UInt64($0.split(separator: " ")[1]) } == 3)
        let resident = lines.first { $0.hasPrefix("process_resident_memory_bytes ") }
        #expect(resident.flatMap { Double($0.split(separator: " ")[1]) }.map { $0 > 1e6 } == true)
    }

    @Test("Cumulative buckets add the loops' counts and never decrease")
    func histogramExposition() {
        let first = HTTPLatencyHistogram()
        let second = HTTPLatencyHistogram()
        first.record(nanoseconds: 40_000)
        first.record(nanoseconds: 3_000_000)
        second.record(nanoseconds: 2_000_000_000)
        let text = [first, second].exposition(name: "h", help: "test")
        #expect(text.contains(#"h_bucket{le="5e-05"} 1"#))
        #expect(text.contains(#"h_bucket{le="0.0025"} 1"#))
        #expect(text.contains(#"h_bucket{le="0.005"} 2"#))
        #expect(text.contains(#"h_bucket{le="1.0"} 2"#))
        #expect(text.contains(#"h_bucket{le="+Inf"} 3"#))
        #expect(text.contains("h_sum 2.00304\n") && text.contains("h_count 3\n"))
    }
}

@Suite("ringtracker metrics", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct DaemonMetricsTests {
    @Test("The daemon's /metrics lists the kernel drop counter of each of its UDP sockets")
    func socketDrops() throws {
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--udp-workers", "2", "--io-backend", "mmsg"])
        let port = try daemon.waitUntilListening()
        let line = try daemon.waitForLine(containing: "listening")
        let http = try #require(line.firstMatch(of: /http=(127\.0\.0\.1:\d+)/).map { String($0.1) })
        let text = try HTTPTestClient(address: http).get("/metrics").text
        let sockets = text.split(separator: "\n").filter {
            $0.hasPrefix(#"ringtracker_udp_socket_drops_total{socket="127.0.0.1:\#(port)""#)
        }
        #expect(sockets.count == 2, "one socket per worker: \(sockets)")
        #expect(text.contains(#"ringtracker_udp_socket_receive_queue_bytes{socket="127.0.0.1:\#(port)""#))
    }

    @Test("The daemon's /metrics counts each UDP engine's datagrams and buffer-ring events, on both backends and both worker layouts",
          arguments: availableBackends, WorkerLayout.allCases)
    func engineEvents(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--http", "127.0.0.1:0",
                                         "--io-backend", backend.rawValue] + layout.daemonArguments)
        let port = try daemon.waitUntilListening()
        let line = try daemon.waitForLine(containing: "listening")
        let http = try #require(line.firstMatch(of: /http=(127\.0\.0\.1:\d+)/).map { String($0.1) })
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.1")
        for _ in 0..<3 { try client.connect() }
        // Engines publish at the end of each loop turn, just after the reply goes out: bounded wait.
        let deadline = ContinuousClock.now + .seconds(5)
        var received: Double?
        var sent: Double?
        var text = ""
        repeat {
            // io_uring counts a reply as sent when its completion comes back, a turn later.
            text = try HTTPTestClient(address: http).get("/metrics").text
            received = Self.total(text, event: "received")
            sent = Self.total(text, event: "sent")
        } while ((received ?? 0) < 3 || (sent ?? 0) < 3) && ContinuousClock.now < deadline
        #expect(received == 3, "three connects received")
        #expect(sent == 3, "three replies sent")
        for event in ["send_error", "no_send_slot", "truncated", "receive_error", "buffer_ring_empty", "receive_rearmed"] {
            #expect(Self.total(text, event: event) == 0, "\(event)")
        }
    }

    /// One engine event summed over the workers' series (nil when no worker reports it).
    private static func total(_ text: String, event: String) -> Double? {
        let prefix = #"ringtracker_udp_engine_events_total{event=""# + event + #"",worker=""#
        let values = text.split(separator: "\n").filter { $0.hasPrefix(prefix) }.compactMap { Double($0.split(separator: " ").last ?? "") }
        return values.isEmpty ? nil : values.reduce(0, +)
    }
}
