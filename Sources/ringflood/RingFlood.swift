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

    /// The load generator: sources, model, workers, then the controller's warm-up and measured
    /// phases, then the summary. Each phase is a function below.
    func runFlood() throws {
        let (targetAddress, sourceAddresses, topology) = try floodSources()
        let cpuList = try parseCPUs()
        if let cpu = cpuList.first { try CPUSet.pinCurrentThread(to: cpu) }
        let model = buildModel()
        let settings = FloodSettings(
            target: targetAddress, sources: sourceAddresses, topology: topology, ipv6: targetAddress.isIPv6, seed: seed,
            window: window, rate: rate, warmupWindow: min(warmupWindow, window), numWant: numwant, announceWeight: announceWeight, scrapeWeight: scrapeWeight,
            connectWeight: connectWeight, scrapeMaxHashes: scrapeMax, completedProbability: completedProbability,
            stoppedProbability: stoppedProbability, reconnectNanoseconds: UInt64(reconnect * 1e9),
            timeoutNanoseconds: UInt64(timeoutMs) * 1_000_000, batch: batch, cpus: cpuList, resume: resume)
        let control = FloodControl(workers: threads)
        let start = MonotonicClock.nanoseconds()
        // Every run stops by itself: the workers give up at this deadline even if the controller died.
        let hardDeadline = start + UInt64((warmupLimit + duration + 30) * 1e9)
        let workers = try startWorkers(settings: settings, model: model, control: control, cpus: cpuList, deadline: hardDeadline)
        let window = try superviseRun(control: control, workers: workers, start: start, hardDeadline: hardDeadline)
        let end = FloodWindow.Readings(pid: pid)
        for w in workers { w.join() }
        try report(summarize(targetAddress, control: control, window: window, end: end), target: targetAddress)
    }
}

/// A failure message handed from a worker thread to the controller.
final class FailureBox: Sendable {
    private let message = Mutex<String?>(nil)
    func set(_ text: String) { message.withLock { if $0 == nil { $0 = text } } }
    func get() -> String? { message.withLock { $0 } }
}
