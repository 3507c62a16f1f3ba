import Glibc
import Logging
import Synchronization
import TrackerCore
import TrackerIO

/// `--state-file`: the store survives restarts. Loaded once at start-up, written every
/// `--snapshot-interval` and once more on SIGTERM/SIGINT after the workers stopped.
///
/// Writes copy one shard at a time out of the store (one shard lock, held only for that copy, never
/// across encoding or I/O), then replace the file atomically (`AtomicFile`). A file that cannot be used is
/// renamed aside, never overwritten: if renaming it fails, writing stays disabled for this run.
public final class StateSnapshots: Sendable {
    public let path: String
    public let store: TorrentStore
    private let logger: Logger
    /// Held for a whole write: the periodic thread and the shutdown write never interleave.
    private let writer = Mutex<WriterState>(WriterState())

    private struct WriterState {
        /// Set when an unusable file could not be moved aside: writing would destroy it.
        var blockedReason: String?
    }

    public enum LoadReport: Sendable, CustomStringConvertible {
        /// No state file yet: first start.
        case missing
        case loaded(SnapshotLoadReport, bytes: Int, milliseconds: Double)
        /// Corrupt, truncated, foreign or unreadable; `movedTo` is where the file now is (nil: it could
        /// not be moved, and snapshots are disabled so it is not overwritten).
        case refused(reason: String, movedTo: String?)

        public var description: String {
            switch self {
            case .missing:
                "no state file; starting empty"
            case .loaded(let report, let bytes, let milliseconds):
                "loaded \(report.torrents) torrents, \(report.peers) peers (\(report.peersExpired) expired, "
                    + "\(report.torrentsDropped) torrents dropped) from \(bytes) bytes in \(Self.format(milliseconds)) ms"
            case .refused(let reason, let movedTo?):
                "refused: \(reason); moved aside to \(movedTo); starting empty"
            case .refused(let reason, nil):
                "refused: \(reason); could not move it aside, so snapshots are disabled to keep it; starting empty"
            }
        }

        static func format(_ value: Double) -> String {
            String(Double(Int(value * 10)) / 10)
        }
    }

    public struct WriteReport: Sendable, CustomStringConvertible {
        public var bytes: Int
        public var torrents: Int
        public var peers: Int
        /// Copying and encoding every shard (locks included).
        public var encodeMilliseconds: Double
        /// Longest single-shard copy: an upper bound on how long one shard lock was held.
        public var longestLockMilliseconds: Double
        /// Every write, fsync, rename and the directory fsync.
        public var writeMilliseconds: Double

        public var description: String {
            "\(torrents) torrents, \(peers) peers, \(bytes) bytes: encode \(LoadReport.format(encodeMilliseconds)) ms "
                + "(longest shard lock \(LoadReport.format(longestLockMilliseconds)) ms), write \(LoadReport.format(writeMilliseconds)) ms"
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// A failing disk must not log every interval forever.
    let failures = RepeatLimiter(interval: 3600)

    /// A state file larger than the store's memory cap could not be loaded within it (a snapshot is
    /// smaller than the store it came from), so it is refused before it is read.
    var maximumFileBytes: Int { store.limits.maxMemoryBytes > 0 ? store.limits.maxMemoryBytes : Int.max }

    public init(path: String, store: TorrentStore, logger: Logger) {
        self.path = path
        self.store = store
        self.logger = logger
    }

    /// Loads the state file into the (empty) store. Never throws: whatever happens, the tracker
    /// starts, and one log line says what happened.
    public func loadAtStartup(now: UInt32) -> LoadReport {
        let started = ContinuousClock.now
        for stale in AtomicFile.removeStaleTemporaries(of: path) {
            logger.notice("removed a partial snapshot left by an interrupted writer", metadata: ["file": "\(stale)"])
        }
        let bytes: [UInt8]
        switch readChecked() {
        case .missing:
            logger.info("state file not found; starting empty", metadata: ["path": "\(path)"])
            return .missing
        case .refused(let reason):
            return refuse(reason)
        case .read(let contents):
            bytes = contents
        }
        do {
            let report = try SnapshotDecoder.load(bytes: bytes, into: store, now: now)
            let result = LoadReport.loaded(report, bytes: bytes.count, milliseconds: Self.milliseconds(since: started))
            logger.info("state file \(result)", metadata: ["path": "\(path)"])
            return result
        } catch {
            return refuse("\(path): \(error)")
        }
    }

    enum FileRead {
        case missing
        case refused(String)
        case read([UInt8])
    }

    /// The state file's bytes, read only after its header was checked and the size it describes
    /// matched the file's: a foreign, damaged or crafted file is refused after one 56-byte read.
    func readChecked() -> FileRead {
        let file: BoundedFile
        do { file = try BoundedFile(opening: path, limit: maximumFileBytes) } catch {
            return error.errno == ENOENT ? .missing : .refused("cannot read \(path): \(error)")
        }
        let head: [UInt8]
        do { head = try file.read(count: SnapshotFormat.headerSize, at: 0) } catch {
            return .refused("cannot read \(path): \(error)")
        }
        let header: SnapshotHeader
        do { header = try SnapshotHeader(parsing: head.span) } catch { return .refused("\(path): \(error)") }
        guard file.size >= header.fileSize else {
            return .refused("\(path): \(SnapshotError.truncated(expected: header.fileSize, actual: file.size))")
        }
        guard file.size == header.fileSize else {
            return .refused("\(path): the header describes \(header.fileSize) bytes; the file has \(file.size)")
        }
        do { return .read(try file.readAll()) } catch { return .refused("cannot read \(path): \(error)") }
    }

    private func refuse(_ reason: String) -> LoadReport {
        let movedTo = AtomicFile.moveAside(path)
        if movedTo == nil {
            writer.withLock { $0.blockedReason = "state file \(path) was refused and could not be moved aside" }
        }
        let result = LoadReport.refused(reason: reason, movedTo: movedTo)
        logger.error("state file \(result)")
        return result
    }

    /// Encodes every shard in turn and writes each block as it is made, then replaces the state file
    /// atomically. Only one shard's copy and block are in memory at a time (the file is 20–40 MB
    /// at 1M torrents and 2M peers; holding it whole was a 30 MiB RSS spike at every snapshot).
    @discardableResult
    public func write(now: UInt32) throws(WriteError) -> WriteReport {
        return try writer.withLock { state throws(WriteError) -> WriteReport in
            if let blocked = state.blockedReason { throw WriteError(description: blocked) }
            var encoder = SnapshotEncoder(shardCount: store.shardCount, created: now)
            var longest = 0.0
            var encodeMilliseconds = 0.0
            var writeMilliseconds = 0.0
            do throws(SystemError) {
                var writeStart = ContinuousClock.now
                let file = try AtomicFile.Writer(replacing: path)
                try file.append([UInt8](repeating: 0, count: SnapshotFormat.headerSize))
                writeMilliseconds += Self.milliseconds(since: writeStart)
                for shard in 0..<store.shardCount {
                    let lockStart = ContinuousClock.now
                    let copy = store.copyForSnapshot(shard: shard)
                    longest = max(longest, Self.milliseconds(since: lockStart))
                    let block = encoder.add(copy.encode(now: now))
                    encodeMilliseconds += Self.milliseconds(since: lockStart)
                    writeStart = ContinuousClock.now
                    try file.append(block)
                    writeMilliseconds += Self.milliseconds(since: writeStart)
                }
                writeStart = ContinuousClock.now
                try file.append(encoder.trailer())
                try file.overwrite(encoder.header.bytes, at: 0)
                let bytes = try file.commit()
                writeMilliseconds += Self.milliseconds(since: writeStart)
                return WriteReport(bytes: bytes, torrents: encoder.torrents, peers: encoder.peers4 + encoder.peers6,
                                   encodeMilliseconds: encodeMilliseconds, longestLockMilliseconds: longest,
                                   writeMilliseconds: writeMilliseconds)
            } catch {
                throw WriteError(description: "write state file \(path): \(error)")
            }
        }
    }

    /// A thread that writes a snapshot every `interval` seconds until `stop` is requested. It does
    /// not write on stop: the daemon writes the final snapshot after the workers have stopped.
    public func startPeriodic(
        interval: UInt32, stop: StopSignal, clock: @escaping @Sendable () -> UInt32 = { WallClock.seconds() }
    ) throws(SystemError) -> WorkerThread {
        let nanoseconds = UInt64(max(interval, 1)) * 1_000_000_000
        return try WorkerThread(name: "snapshots") { [self] in
            while !stop.isRequested {
                stop.sleep(nanoseconds: nanoseconds)
                if stop.isRequested { break }
                do {
                    let report = try write(now: clock())
                    failures.reset()
                    logger.info("state snapshot written", metadata: ["path": "\(path)", "report": "\(report)"])
                } catch {
                    if let suppressed = failures.admit(now: clock()) {
                        logger.error("state snapshot failed: \(error)", metadata: ["suppressed_repeats": "\(suppressed)"])
                    }
                }
            }
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
