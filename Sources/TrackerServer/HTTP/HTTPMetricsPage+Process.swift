import Prometheus
import TrackerIO

extension HTTPMetricsPage {
    /// Prometheus's standard process metrics (the names every client library exports, so stock
    /// dashboards and alerts work) and the kernel's per-socket UDP drop counters, from /proc/self.
    func addProcessMetrics(_ registry: PrometheusCollectorRegistry) {
        let process = ProcessStatus.read()
        if let seconds = process.cpuSeconds {
            registry.makeCounter(descriptor: descriptor("process_cpu_seconds_total", "Total user and system CPU time spent in seconds"))
                .increment(by: seconds)
        }
        let gauges: [(String, String, Double?)] = [
            ("process_resident_memory_bytes", "Resident memory size in bytes", process.residentBytes.map { Double($0) }),
            ("process_virtual_memory_bytes", "Virtual memory size in bytes", process.virtualBytes.map { Double($0) }),
            ("process_start_time_seconds", "Start time of the process since unix epoch in seconds", process.startTimeSeconds),
            ("process_open_fds", "Number of open file descriptors", process.openDescriptors.map { Double($0) }),
            ("process_max_fds", "Maximum number of open file descriptors", process.maxDescriptors.map { Double($0) }),
            ("ringtracker_memory_limit_bytes", "The cgroup memory limit (MemoryMax=) or, if lower or unset, the machine's memory",
             process.memoryLimitBytes.map { Double($0) }),
        ]
        for (name, help, value) in gauges {
            guard let value else { continue }
            registry.makeGauge(descriptor: descriptor(name, help)).set(to: value)
        }
        for socket in UDPSocketTable.read(inodes: process.socketInodes) {
            let labels = [("socket", socket.local), ("inode", "\(socket.inode)")]
            counter(registry, "ringtracker_udp_socket_drops_total",
                    "Datagrams the kernel dropped on this socket (receive buffer full), from /proc/net/udp",
                    labels, socket.drops)
            gauge(registry, "ringtracker_udp_socket_receive_queue_bytes", "Bytes waiting in this socket's receive queue",
                  labels, Int64(clamping: socket.receiveQueueBytes))
        }
    }

    /// The UDP engines' own counters: what happened to datagrams below the protocol (a reply the
    /// kernel refused, no free send slot, an oversized datagram) and how often io_uring's buffer
    /// ring ran dry, ending a multishot receive until it was re-armed.
    func addEngineMetrics(_ registry: PrometheusCollectorRegistry, _ engines: [EngineCounters]) {
        for (worker, engine) in engines.enumerated() {
            let counts = engine.snapshot()
            let events: [(String, UInt64)] = [
                ("received", counts.received), ("sent", counts.sent), ("send_error", counts.sendErrors),
                ("no_send_slot", counts.noSlotDrops), ("truncated", counts.truncated), ("receive_error", counts.recvErrors),
                ("buffer_ring_empty", counts.enobufs), ("receive_rearmed", counts.rearms),
            ]
            for (event, value) in events {
                counter(registry, "ringtracker_udp_engine_events_total",
                        "UDP engine events below the protocol: datagrams received and sent, failures, buffer-ring exhaustion",
                        [("event", event), ("worker", "\(worker)")], value)
            }
        }
    }

    private func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
