#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Synchronization
import TrackerIO
import TrackerProtocol

/// ringflood: a BEP 15 load generator that behaves like a population of conforming clients
/// (modelled on flood2, the load generator the opentracker comparison was first measured with; docs/BENCHMARKS.md), plus a bare "null responder" for the
/// physical-limit measurement of bench/compare.
struct RingFlood: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringflood",
        abstract: "BEP 15 UDP tracker load generator (and null responder) for RingTracker benchmarks.",
        discussion: """
        Closed loop by default (--window outstanding requests); --rate R switches the measured phase \
        to an open loop at R req/s. The warm-up runs at full speed until every peer has announced once \
        and at least --warmup seconds have passed. Targets must be loopback unless --allow-remote. \
        Exits 3 when the target never answered a single request.
        """,
        version: RingTrackerVersion.string
    )

    @Option(help: "Tracker address, HOST:PORT or [IPv6]:PORT.") var target = "127.0.0.1:6969"
    @Flag(help: "Allow a non-loopback target.") var allowRemote = false
    @Option(help: "Number of torrents N.") var torrents = 1_000_000
    @Option(help: "Number of peers P (each announces one torrent, drawn by popularity).") var peers = 2_000_000
    @Option(help: "Probability that a peer is a seeder (left = 0).") var seederProbability = 0.75
    @Option(help: "numwant in every announce.") var numwant: Int32 = 30
    @Option(help: "Weight of announces in the request mix.") var announceWeight = 100
    @Option(help: "Weight of scrapes (1…--scrape-max hashes each).") var scrapeWeight = 1
    @Option(help: "Weight of extra connect requests.") var connectWeight = 0
    @Option(help: "Most info hashes per scrape.") var scrapeMax = 10
    @Option(help: "Probability that a leecher's re-announce is 'completed'.") var completedProbability = 0.001
    @Option(help: "Probability that a re-announce is 'stopped' (next one is 'started').") var stoppedProbability = 0.001
    @Option(help: "How peers pick torrents: exp (aquatic's popularity law) or seq (peer p → torrent p mod N).")
    var distribution = "exp"
    @Flag(help: "The tracker already holds these peers (an earlier run with the same seed): no first-announce sweep; warm-up is --warmup seconds.")
    var resume = false
    @Option(help: "Seed: info hashes, peers and the request stream are a pure function of it.") var seed: UInt64 = 1
    @Option(help: "Closed loop: outstanding requests over all threads. Open loop: most in flight.") var window = 128
    @Option(help: "Open loop: offered req/s in the measured phase (warm-up is always full speed).") var rate: Double?
    @Option(help: "Open loop: outstanding requests during the full-speed warm-up.") var warmupWindow = 128
    @Option(help: "Measured seconds.") var duration = 10.0
    @Option(help: "Minimum warm-up seconds (warm-up also waits until every peer announced once).") var warmup = 5.0
    @Option(help: "Longest warm-up in seconds; the run goes on, flagged incomplete, after it.") var warmupLimit = 120.0
    @Option(help: "UDP sockets (each connects once and keeps its connection ID).") var sockets = 64
    @Option(help: "Source addresses 127.0.0.1…127.0.0.k (must divide --sockets; IPv6 uses ::1 only).") var sources = 64
    @Option(help: "Sending threads.") var threads = 1
    @Option(help: "CPUs to pin the threads to, e.g. 1 or 1-3 (thread i → i-th CPU).") var cpus: String?
    @Option(help: "Milliseconds without a reply before a request counts as lost.") var timeoutMs = 250
    @Option(help: "Seconds before a socket fetches a fresh connection ID.") var reconnect = 60.0
    @Option(help: "Most datagrams per sendmmsg/recvmmsg.") var batch = 16
    @Option(help: "PID of the tracker: report its CPU µs per response and RSS over the measured phase.") var pid: Int32?
    @Flag(help: "Print the summary as JSON on stdout.") var json = false
    @Option(help: "Write the N info hashes (40 hex digits a line) to FILE and exit.") var writeWhitelist: String?

    @Flag(help: "Run the null responder (bare kernel path) instead of generating load.") var nullResponder = false
    @Option(help: "Null responder: address to listen on.") var listen = "127.0.0.1:6969"
    @Option(help: "Null responder: io backend, mmsg or io_uring.") var backend = "mmsg"
    @Option(help: "Null responder: seconds before it stops by itself.") var lifetime = 900.0

    func validate() throws {
        guard torrents > 0, peers > 0 else { throw ValidationError("--torrents and --peers must be positive") }
        guard (0...1).contains(seederProbability), (0...1).contains(completedProbability),
              (0...1).contains(stoppedProbability) else { throw ValidationError("probabilities must be in 0…1") }
        guard announceWeight >= 0, scrapeWeight >= 0, connectWeight >= 0,
              announceWeight + scrapeWeight + connectWeight > 0 else { throw ValidationError("weights must be ≥ 0 and not all 0") }
        guard (1...74).contains(scrapeMax) else { throw ValidationError("--scrape-max must be 1…74") }
        guard window > 0, window <= 65_536 else { throw ValidationError("--window must be 1…65536") }
        if let rate { guard rate > 0 else { throw ValidationError("--rate must be positive") } }
        guard duration > 0, duration <= 3600, warmup >= 0, warmupLimit >= warmup, warmupLimit <= 3600 else {
            throw ValidationError("--duration must be in (0, 3600], --warmup ≤ --warmup-limit ≤ 3600")
        }
        guard sockets > 0, sockets <= 4096, sources > 0, threads > 0, threads <= 64, threads <= sockets else {
            throw ValidationError("need 1…4096 sockets, ≥ 1 source, 1…64 threads and threads ≤ sockets")
        }
        guard distribution == "exp" || distribution == "seq" else { throw ValidationError("--distribution must be exp or seq") }
        guard (1...64).contains(batch) else { throw ValidationError("--batch must be 1…64") }
        guard timeoutMs > 0, reconnect > 0, lifetime > 0, lifetime <= 86_400 else {
            throw ValidationError("--timeout-ms, --reconnect and --lifetime must be positive (lifetime ≤ 1 day)")
        }
    }

    func run() throws {
        if let file = writeWhitelist {
            let model = FloodModel.whitelist(seed: seed, torrents: torrents)
            try model.write(toFile: file, atomically: true, encoding: .utf8)
            log("wrote \(torrents) info hashes to \(file)")
            return
        }
        if nullResponder { return try runNullResponder() }
        try runFlood()
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data("[ringflood] \(message)\n".utf8))
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        let text = address.description
        return address.isIPv6 ? text.hasPrefix("[::1]") : text.hasPrefix("127.")
    }

    func parseCPUs() throws -> [Int] {
        guard let cpus else { return [] }
        return try CPUSet.parse(cpus)
    }

    // MARK: - Null responder

    func runNullResponder() throws {
        guard let io = IOBackend(rawValue: backend) else { throw ValidationError("--backend must be mmsg or io_uring") }
        let address = try SocketAddress(parsing: listen)
        guard Self.isLoopback(address) || allowRemote else {
            throw ValidationError("refusing to listen on \(address): not loopback (use --allow-remote)")
        }
        let cpuList = try parseCPUs()
        let socket = try UDPSocket.bind(address, reusePort: false)
        let bound = try socket.localAddress()
        let fd = socket.release()
        defer { _ = close(fd) }
        let stop = StopSignal()
        let counters = EngineCounters()
        let failure = FailureBox()
        let thread = try WorkerThread(name: "null-responder") {
            if let cpu = cpuList.first {
                do { try CPUSet.pinCurrentThread(to: cpu) } catch { failure.set("pin: \(error)"); return }
            }
            var handler = NullResponder()
            do {
                try UDPWorkerEngine.run(sockets: [fd], handler: &handler,
                                        configuration: WorkerEngineConfiguration(backend: io), stop: stop, counters: counters)
            } catch { failure.set("\(error)") }
        }
        log("listening udp=\(bound) backend=\(io.rawValue) null-responder lifetime=\(Int(lifetime))s")
        let end = MonotonicClock.nanoseconds() + UInt64(lifetime * 1e9)
        while MonotonicClock.nanoseconds() < end && failure.get() == nil { usleep(100_000) }
        stop.request()
        thread.join()
        if let message = failure.get() { throw ValidationError("null responder: \(message)") }
    }

    // MARK: - Load

    func runFlood() throws {
        let targetAddress = try SocketAddress(parsing: target)
        guard Self.isLoopback(targetAddress) || allowRemote else {
            throw ValidationError("refusing to send to \(targetAddress): not loopback (use --allow-remote)")
        }
        let ipv6 = targetAddress.isIPv6
        var sourceCount = sources
        var sourceAddresses = [SocketAddress]()
        if ipv6 {
            sourceCount = 1
            sourceAddresses = [try SocketAddress(parsing: Self.isLoopback(targetAddress) ? "[::1]:0" : "[::]:0")]
        } else if Self.isLoopback(targetAddress) {
            guard sources <= 254 else { throw ValidationError("--sources must be ≤ 254 (127.0.0.1…127.0.0.254)") }
            guard sockets % sources == 0 else { throw ValidationError("--sources (\(sources)) must divide --sockets (\(sockets))") }
            sourceAddresses = try (0..<sources).map { try SocketAddress(parsing: "127.0.0.\($0 + 1):0") }
        } else {
            sourceCount = 1
            sourceAddresses = [try SocketAddress(parsing: "0.0.0.0:0")]
        }
        let topology = FloodTopology(sockets: sockets, addresses: sourceCount, workers: threads, peers: peers)
        if !topology.portsAreUnique {
            log("warning: \(peers) peers on \(sourceCount) source address(es) exceed 65,535 ports each; ports wrap, so the tracker sees fewer distinct peers")
        }
        let cpuList = try parseCPUs()
        if let cpu = cpuList.first { try CPUSet.pinCurrentThread(to: cpu) }

        let buildStart = MonotonicClock.nanoseconds()
        let model = FloodModel(seed: seed, torrents: torrents, peers: peers, seederProbability: seederProbability,
                               sequential: distribution == "seq")
        log(String(format: "model: %d torrents, %d peers, seed %llu, built in %.2f s", torrents, peers, seed,
                   Double(MonotonicClock.nanoseconds() - buildStart) / 1e9))

        let settings = FloodSettings(
            target: targetAddress, sources: sourceAddresses, topology: topology, ipv6: ipv6, seed: seed,
            window: window, rate: rate, warmupWindow: min(warmupWindow, window), numWant: numwant, announceWeight: announceWeight, scrapeWeight: scrapeWeight,
            connectWeight: connectWeight, scrapeMaxHashes: scrapeMax, completedProbability: completedProbability,
            stoppedProbability: stoppedProbability, reconnectNanoseconds: UInt64(reconnect * 1e9),
            timeoutNanoseconds: UInt64(timeoutMs) * 1_000_000, batch: batch, cpus: cpuList, resume: resume)
        let control = FloodControl(workers: threads)
        let start = MonotonicClock.nanoseconds()
        // Every run stops by itself: the workers give up at this deadline even if the controller died.
        let hardDeadline = start + UInt64((warmupLimit + duration + 30) * 1e9)
        var workers = [WorkerThread]()
        for index in 0..<threads {
            let cpu: Int? = cpuList.isEmpty ? nil : cpuList[index % cpuList.count]
            workers.append(try WorkerThread(name: "ringflood-\(index)") {
                let mailbox = control.mailboxes[index]
                do {
                    if let cpu { try CPUSet.pinCurrentThread(to: cpu) }
                    var worker = try FloodWorker(index: index, settings: settings, model: model, control: control)
                    try worker.run(deadline: hardDeadline)
                } catch {
                    mailbox.state.withLock { $0.failure = "\(error)"; $0.finished = true }
                    control.set(.stop)
                }
            })
        }

        // Controller: progress every second, phase changes, bounded by the hard deadline.
        var phase = FloodPhase.warmup
        var measureStart: UInt64 = 0
        var measureEnd: UInt64 = 0
        var warmupSeconds = 0.0
        var warmupComplete = false
        var trackerCPUStart: Double?
        var ownCPUStart = 0.0
        var rcvbufStart: UInt64?
        var lastTotals = FloodCounts()
        var nextProgress = start + 1_000_000_000
        var lastProgress = start
        while phase != .stop {
            usleep(20_000)
            let now = MonotonicClock.nanoseconds()
            let elapsed = Double(now - start) / 1e9
            let failures = control.mailboxes.compactMap { $0.state.withLock { $0.failure } }
            if let failure = failures.first { control.set(.stop); for w in workers { w.join() }; throw ValidationError("worker failed: \(failure)") }
            switch phase {
            case .warmup:
                let warm = control.mailboxes.allSatisfy { $0.state.withLock { $0.warmedUp } }
                if (warm && elapsed >= warmup) || elapsed >= warmupLimit {
                    warmupComplete = warm
                    warmupSeconds = elapsed
                    if let pid { trackerCPUStart = ProcessStats.cpuSeconds(pid: pid) }
                    ownCPUStart = ProcessStats.ownCPUSeconds()
                    rcvbufStart = ProcessStats.udpReceiveBufferErrors()
                    measureStart = MonotonicClock.nanoseconds()
                    control.set(.measure)
                    phase = .measure
                    if !warm { log("warning: warm-up limit reached before every peer announced once") }
                }
            case .measure:
                if Double(now - measureStart) / 1e9 >= duration {
                    measureEnd = MonotonicClock.nanoseconds()
                    control.set(.stop)
                    phase = .stop
                }
            case .stop:
                break
            }
            if now >= hardDeadline { control.set(.stop); phase = .stop; if measureEnd == 0 { measureEnd = now } }
            if now >= nextProgress && phase != .stop {
                var totals = FloodCounts()
                var histogram = makeLatencyHistogram()
                for mailbox in control.mailboxes {
                    mailbox.state.withLock { box in
                        totals.add(box.total)
                        histogram.add(box.interval)
                        box.interval.reset()
                    }
                }
                let d = totals.subtracting(lastTotals)
                let span = Double(now - lastProgress) / 1e9
                let p99 = histogram.totalCount > 0 ? Double(histogram.valueAtPercentile(99)) / 1000 : 0
                log(String(format: "%6.1fs %@ req/s=%.0f resp/s=%.0f ann/s=%.0f scr/s=%.0f conn/s=%.0f err=%llu lost=%llu p99_us=%.0f",
                           elapsed, phase == .warmup ? "warmup " : "measure", Double(d.sent) / span, Double(d.responses) / span,
                           Double(d.announces) / span, Double(d.scrapes) / span, Double(d.connects) / span,
                           d.errors, d.lost, p99))
                lastTotals = totals
                lastProgress = now
                nextProgress += 1_000_000_000
            }
        }
        let trackerCPUEnd = pid.flatMap { ProcessStats.cpuSeconds(pid: $0) }
        let ownCPUEnd = ProcessStats.ownCPUSeconds()
        let rcvbufEnd = ProcessStats.udpReceiveBufferErrors()
        let rss = pid.flatMap { ProcessStats.residentKiB(pid: $0) }
        for w in workers { w.join() }

        var measured = FloodCounts()
        var everything = FloodCounts()
        var latency = makeLatencyHistogram()
        for mailbox in control.mailboxes {
            mailbox.state.withLock { box in
                measured.add(box.measured)
                everything.add(box.total)
                latency.add(box.measuredLatency)
            }
        }
        let seconds = measureStart > 0 ? Double(measureEnd - measureStart) / 1e9 : 0
        let per = seconds > 0 ? 1 / seconds : 0
        var trackerPercent: Double?
        var trackerPerResponse: Double?
        if let a = trackerCPUStart, let b = trackerCPUEnd, seconds > 0 {
            trackerPercent = (b - a) / seconds * 100
            trackerPerResponse = measured.responses > 0 ? (b - a) * 1e6 / Double(measured.responses) : nil
        }
        let summary = FloodSummary(
            target: targetAddress.description, mode: rate == nil ? "closed" : "open", window: window, offeredRate: rate,
            torrents: torrents, peers: peers, seconds: seconds, warmupSeconds: warmupSeconds, warmupComplete: warmupComplete,
            sentPerSecond: Double(measured.sent) * per, responsesPerSecond: Double(measured.responses) * per,
            announcesPerSecond: Double(measured.announces) * per, scrapesPerSecond: Double(measured.scrapes) * per,
            connectsPerSecond: Double(measured.connects) * per, errors: measured.errors, errorReplies: measured.errorReplies,
            badAction: measured.badAction, badLength: measured.badLength, unknownTID: measured.unknownTID, lost: measured.lost,
            sendRefused: measured.sendRefused, windowFull: measured.windowFull,
            peersPerAnnounce: measured.announces > 0 ? Double(measured.peersReturned) / Double(measured.announces) : 0,
            latencyMicroseconds: FloodSummary.latency(latency),
            floodCPUPercent: seconds > 0 ? (ownCPUEnd - ownCPUStart) / seconds * 100 : 0,
            trackerPID: pid, trackerCPUPercent: trackerPercent, trackerCPUMicrosecondsPerResponse: trackerPerResponse,
            trackerRSSKiB: rss, udpReceiveBufferErrors: rcvbufStart.flatMap { s in rcvbufEnd.map { $0 &- s } },
            counts: measured, totalCounts: everything)
        let answered = everything.responses + everything.errors
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.humanReadable)
            print(summary.resultLine)
        }
        if answered == 0 {
            // A wrong port or a dead tracker must not look like a finished run to scripts.
            log("error: \(targetAddress) never answered (\(everything.sent) requests sent)")
            throw ExitCode(3)
        }
    }
}

/// A failure message handed from a worker thread to the controller.
final class FailureBox: Sendable {
    private let message = Mutex<String?>(nil)
    func set(_ text: String) { message.withLock { if $0 == nil { $0 = text } } }
    func get() -> String? { message.withLock { $0 } }
}
