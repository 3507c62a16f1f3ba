import ArgumentParser
import Foundation
import Glibc
import TrackerIO

/// What the controller reads at the start and end of the measured phase.
struct FloodWindow {
    var measureStart: UInt64 = 0
    var measureEnd: UInt64 = 0
    var warmupSeconds = 0.0
    var warmupComplete = false
    var start = Readings()

    /// Process figures read at a phase boundary.
    struct Readings {
        var trackerCPU: Double?
        var ownCPU = 0.0
        var receiveBufferErrors: UInt64?
        var trackerRSSKiB: Int?

        init() {}

        init(pid: Int32?) {
            trackerCPU = pid.flatMap { ProcessStats.cpuSeconds(pid: $0) }
            ownCPU = ProcessStats.ownCPUSeconds()
            receiveBufferErrors = ProcessStats.udpReceiveBufferErrors()
            trackerRSSKiB = pid.flatMap { ProcessStats.residentKiB(pid: $0) }
        }
    }
}

extension RingFlood {
    /// The target (loopback unless --allow-remote) and the source addresses the sockets bind.
    func floodSources() throws -> (SocketAddress, [SocketAddress], FloodTopology) {
        let targetAddress = try SocketAddress(parsing: target)
        guard Self.isLoopback(targetAddress) || allowRemote else {
            throw ValidationError("refusing to send to \(targetAddress): not loopback (use --allow-remote)")
        }
        var sourceCount = sources
        var sourceAddresses = [SocketAddress]()
        if targetAddress.isIPv6 {
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
        return (targetAddress, sourceAddresses, topology)
    }

    func buildModel() -> FloodModel {
        let buildStart = MonotonicClock.nanoseconds()
        let model = FloodModel(seed: seed, torrents: torrents, peers: peers, seederProbability: seederProbability,
                               sequential: distribution == "seq")
        log(String(format: "model: %d torrents, %d peers, seed %llu, built in %.2f s", torrents, peers, seed,
                   Double(MonotonicClock.nanoseconds() - buildStart) / 1e9))
        return model
    }

    /// One thread per --threads, pinned round-robin to --cpus; a failure lands in its mailbox.
    func startWorkers(
        settings: FloodSettings, model: FloodModel, control: FloodControl, cpus cpuList: [Int], deadline hardDeadline: UInt64
    ) throws -> [WorkerThread] {
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
        return workers
    }

    /// Controller: warm-up until every peer announced (or the limit), then the measured phase;
    /// progress every second; bounded by the hard deadline.
    func superviseRun(control: FloodControl, workers: [WorkerThread], start: UInt64, hardDeadline: UInt64) throws -> FloodWindow {
        var phase = FloodPhase.warmup
        var window = FloodWindow()
        var progress = FloodProgress(start: start)
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
                    window.warmupComplete = warm
                    window.warmupSeconds = elapsed
                    window.start = FloodWindow.Readings(pid: pid)
                    window.measureStart = MonotonicClock.nanoseconds()
                    control.set(.measure)
                    phase = .measure
                    if !warm { log("warning: warm-up limit reached before every peer announced once") }
                }
            case .measure:
                if Double(now - window.measureStart) / 1e9 >= duration {
                    window.measureEnd = MonotonicClock.nanoseconds()
                    control.set(.stop)
                    phase = .stop
                }
            case .stop:
                break
            }
            if now >= hardDeadline { control.set(.stop); phase = .stop; if window.measureEnd == 0 { window.measureEnd = now } }
            if now >= progress.next && phase != .stop {
                log(progress.line(control: control, now: now, elapsed: elapsed, warmup: phase == .warmup))
            }
        }
        return window
    }

    /// The measured phase's rates, latency and costs from every worker's mailbox.
    func summarize(_ targetAddress: SocketAddress, control: FloodControl, window: FloodWindow, end: FloodWindow.Readings) -> FloodSummary {
        var measured = FloodCounts()
        var everything = FloodCounts()
        var latency = makeLatencyHistogram()
        control.forEachMailbox { box in
            measured.add(box.measured)
            everything.add(box.total)
            latency.add(box.measuredLatency)
        }
        let seconds = window.measureStart > 0 ? Double(window.measureEnd - window.measureStart) / 1e9 : 0
        let per = seconds > 0 ? 1 / seconds : 0
        var trackerPercent: Double?
        var trackerPerResponse: Double?
        if let a = window.start.trackerCPU, let b = end.trackerCPU, seconds > 0 {
            trackerPercent = (b - a) / seconds * 100
            trackerPerResponse = measured.responses > 0 ? (b - a) * 1e6 / Double(measured.responses) : nil
        }
        return FloodSummary(
            target: targetAddress.description, mode: rate == nil ? "closed" : "open", window: self.window, offeredRate: rate,
            torrents: torrents, peers: peers, seconds: seconds, warmupSeconds: window.warmupSeconds, warmupComplete: window.warmupComplete,
            sentPerSecond: Double(measured.sent) * per, responsesPerSecond: Double(measured.responses) * per,
            announcesPerSecond: Double(measured.announces) * per, scrapesPerSecond: Double(measured.scrapes) * per,
            connectsPerSecond: Double(measured.connects) * per, errors: measured.errors, errorReplies: measured.errorReplies,
            badAction: measured.badAction, badLength: measured.badLength, unknownTID: measured.unknownTID, lost: measured.lost,
            sendRefused: measured.sendRefused, windowFull: measured.windowFull,
            peersPerAnnounce: measured.announces > 0 ? Double(measured.peersReturned) / Double(measured.announces) : 0,
            latencyMicroseconds: FloodSummary.latency(latency),
            floodCPUPercent: seconds > 0 ? (end.ownCPU - window.start.ownCPU) / seconds * 100 : 0,
            trackerPID: pid, trackerCPUPercent: trackerPercent, trackerCPUMicrosecondsPerResponse: trackerPerResponse,
            trackerRSSKiB: end.trackerRSSKiB,
            udpReceiveBufferErrors: window.start.receiveBufferErrors.flatMap { s in end.receiveBufferErrors.map { $0 &- s } },
            counts: measured, totalCounts: everything)
    }

    /// Prints the summary (JSON or text); a run nobody answered exits 3.
    func report(_ summary: FloodSummary, target targetAddress: SocketAddress) throws {
        let everything = summary.totalCounts
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

/// The controller's once-a-second progress line: rates since the previous line.
struct FloodProgress {
    var next: UInt64
    var last: UInt64
    var lastTotals = FloodCounts()

    init(start: UInt64) {
        next = start + 1_000_000_000
        last = start
    }

    mutating func line(control: FloodControl, now: UInt64, elapsed: Double, warmup: Bool) -> String {
        var totals = FloodCounts()
        var histogram = makeLatencyHistogram()
        control.forEachMailbox { box in
            totals.add(box.total)
            histogram.add(box.interval)
            box.interval.reset()
        }
        let d = totals.subtracting(lastTotals)
        let span = Double(now - last) / 1e9
        let p99 = histogram.totalCount > 0 ? Double(histogram.valueAtPercentile(99)) / 1000 : 0
        lastTotals = totals
        last = now
        next += 1_000_000_000
        return String(format: "%6.1fs %@ req/s=%.0f resp/s=%.0f ann/s=%.0f scr/s=%.0f conn/s=%.0f err=%llu lost=%llu p99_us=%.0f",
                      elapsed, warmup ? "warmup " : "measure", Double(d.sent) / span, Double(d.responses) / span,
                      Double(d.announces) / span, Double(d.scrapes) / span, Double(d.connects) / span,
                      d.errors, d.lost, p99)
    }
}
