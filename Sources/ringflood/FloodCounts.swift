import Histogram
import Synchronization

/// Counters of one worker (or the sum of all). Plain integers, summed by the controller.
struct FloodCounts: Sendable, Codable, Equatable {
    var sent: UInt64 = 0
    var connectsSent: UInt64 = 0
    var announcesSent: UInt64 = 0
    var scrapesSent: UInt64 = 0
    var connects: UInt64 = 0
    var announces: UInt64 = 0
    var scrapes: UInt64 = 0
    var errorReplies: UInt64 = 0
    var badAction: UInt64 = 0
    var badLength: UInt64 = 0
    var unknownTID: UInt64 = 0
    var lost: UInt64 = 0
    var peersReturned: UInt64 = 0
    /// Requests the kernel would not take (send buffer full); never counted as sent.
    var sendRefused: UInt64 = 0
    /// Open loop only: requests due by the rate that found no free slot in the window.
    var windowFull: UInt64 = 0

    var responses: UInt64 { connects + announces + scrapes }
    /// flood2's `errors`: everything wrong with a reply that arrived.
    var errors: UInt64 { errorReplies + badAction + badLength + unknownTID }

    mutating func add(_ other: FloodCounts) {
        sent += other.sent; connectsSent += other.connectsSent; announcesSent += other.announcesSent
        scrapesSent += other.scrapesSent; connects += other.connects; announces += other.announces
        scrapes += other.scrapes; errorReplies += other.errorReplies; badAction += other.badAction
        badLength += other.badLength; unknownTID += other.unknownTID; lost += other.lost
        peersReturned += other.peersReturned; sendRefused += other.sendRefused; windowFull += other.windowFull
    }

    func subtracting(_ other: FloodCounts) -> FloodCounts {
        var d = FloodCounts()
        d.sent = sent &- other.sent; d.connectsSent = connectsSent &- other.connectsSent
        d.announcesSent = announcesSent &- other.announcesSent; d.scrapesSent = scrapesSent &- other.scrapesSent
        d.connects = connects &- other.connects; d.announces = announces &- other.announces
        d.scrapes = scrapes &- other.scrapes; d.errorReplies = errorReplies &- other.errorReplies
        d.badAction = badAction &- other.badAction; d.badLength = badLength &- other.badLength
        d.unknownTID = unknownTID &- other.unknownTID; d.lost = lost &- other.lost
        d.peersReturned = peersReturned &- other.peersReturned; d.sendRefused = sendRefused &- other.sendRefused
        d.windowFull = windowFull &- other.windowFull
        return d
    }
}

/// Latency histogram in nanoseconds, 1 ns … 10 s, three significant digits.
typealias LatencyHistogram = Histogram<UInt64>

func makeLatencyHistogram() -> LatencyHistogram {
    LatencyHistogram(lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
}

/// What a worker publishes to the controller about ten times a second.
struct WorkerMailbox: Sendable {
    var total = FloodCounts()
    var measured = FloodCounts()
    /// Latencies since the controller last took them (progress lines).
    var interval = makeLatencyHistogram()
    /// Latencies of the measured phase (final summary); complete once `finished`.
    var measuredLatency = makeLatencyHistogram()
    var warmedUp = false
    var finished = false
    var failure: String?
}

/// Run phases, in order. Workers read the phase once per loop turn.
enum FloodPhase: Int {
    case warmup = 0
    case measure = 1
    case stop = 2
}

/// Shared between the controller (main thread) and the workers.
final class FloodControl: Sendable {
    let phase = Atomic<Int>(FloodPhase.warmup.rawValue)
    let mailboxes: [Mailbox]

    final class Mailbox: Sendable {
        let state = Mutex(WorkerMailbox())
    }

    init(workers: Int) {
        mailboxes = (0..<workers).map { _ in Mailbox() }
    }

    var currentPhase: FloodPhase { FloodPhase(rawValue: phase.load(ordering: .acquiring)) ?? .stop }
    func set(_ phase: FloodPhase) { self.phase.store(phase.rawValue, ordering: .releasing) }
    /// Visits every worker's mailbox under its lock (the controller's reads of the workers).
    func forEachMailbox(_ body: (inout WorkerMailbox) -> Void) {
        for mailbox in mailboxes { mailbox.state.withLock { body(&$0) } }
    }
}
