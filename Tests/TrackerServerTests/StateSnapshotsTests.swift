import Glibc
import Logging
import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
import TrackerServer

private func temporaryDirectory() throws -> String {
    var template = Array("/tmp/ringtracker-state-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { storage in
        storage.baseAddress.flatMap { mkdtemp($0) }
    }
    try #require(made != nil)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private func hash(_ n: UInt32) -> InfoHash {
    var bytes = [UInt8](repeating: 0x5A, count: 20)
    for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: n >> (24 - 8 * UInt32(i))) }
    return InfoHash(bytes: bytes)
}

private let start: UInt32 = 1_700_000_000

/// `torrents` swarms with a v4 leecher, a v4 seeder that completed, and a v6 leecher each.
private func populatedStore(torrents: UInt32) -> TorrentStore {
    let store = TorrentStore(configuration: TrackerConfiguration(shardCount: 32), hashSeed: 5)
    var rng = Xoshiro256(seed: 1)
    var buffer = [UInt8](repeating: 0, count: 64)
    var span = buffer.mutableSpan
    var raw = span.mutableBytes
    for n in 0..<torrents {
        let announces: [(PeerEndpoint, AnnounceEvent, Bool)] = [
            (.v4(IPv4Address(rawValue: 0x0A00_0000 | n), port: 6881), .none, false),
            (.v4(IPv4Address(rawValue: 0x0B00_0000 | n), port: 6882), .completed, true),
            (.v6(IPv6Address(high: 0x2001_0DB8 << 32, low: UInt64(n)), port: 6883), .started, false),
        ]
        for (endpoint, event, seeder) in announces {
            _ = store.announce(Announce(infoHash: hash(n), event: event, isSeeder: seeder, numWant: 0),
                               from: endpoint, now: start, rng: &rng, peers: &raw, at: 0)
        }
    }
    return store
}

private func freshStore() -> TorrentStore {
    TorrentStore(configuration: TrackerConfiguration(shardCount: 32), hashSeed: 6)
}

private var quietLogger: Logger {
    var logger = Logger(label: "state-snapshots-test")
    logger.logLevel = .critical
    return logger
}

@Suite("State file snapshots")
struct StateSnapshotsTests {
    @Test("A missing state file starts the tracker empty")
    func missingFile() throws {
        let directory = try temporaryDirectory()
        let snapshots = StateSnapshots(path: directory + "/state", store: freshStore(), logger: quietLogger)
        guard case .missing = snapshots.loadAtStartup(now: start) else {
            Issue.record("expected .missing")
            return
        }
        #expect(snapshots.store.statistics() == StoreStatistics())
    }

    @Test("What was written is what the next start loads")
    func writeThenLoad() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/state"
        let store = populatedStore(torrents: 500)
        let report = try StateSnapshots(path: path, store: store, logger: quietLogger).write(now: start + 30)
        #expect(report.torrents == 500 && report.peers == 1500)
        #expect(report.bytes == (try BoundedFile.bytes(of: path, limit: .max)).count)

        let restarted = StateSnapshots(path: path, store: freshStore(), logger: quietLogger)
        guard case .loaded(let loaded, let bytes, _) = restarted.loadAtStartup(now: start + 90) else {
            Issue.record("expected the snapshot to load")
            return
        }
        #expect(bytes == report.bytes)
        #expect(loaded.torrents == 500 && loaded.peers == 1500 && loaded.peersExpired == 0)
        #expect(restarted.store.statistics() == store.statistics())
        for n: UInt32 in [0, 17, 499] { #expect(restarted.store.scrape(hash(n)) == store.scrape(hash(n))) }
        #expect(directoryEntries(directory) == ["state"])
    }

    @Test("A corrupt state file is moved aside intact, the tracker starts empty and later writes do not touch it")
    func corruptFileMovedAside() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/state"
        _ = try StateSnapshots(path: path, store: populatedStore(torrents: 50), logger: quietLogger).write(now: start)
        var damaged = try BoundedFile.bytes(of: path, limit: .max)
        damaged[damaged.count / 2] ^= 0x20
        _ = try AtomicFile.write([damaged], to: path)

        let snapshots = StateSnapshots(path: path, store: freshStore(), logger: quietLogger)
        guard case .refused(let reason, let movedTo?) = snapshots.loadAtStartup(now: start) else {
            Issue.record("expected the file to be refused and moved aside")
            return
        }
        #expect(reason.contains("checksum mismatch"))
        #expect(snapshots.store.statistics() == StoreStatistics())
        #expect(try BoundedFile.bytes(of: movedTo, limit: .max) == damaged)
        _ = try snapshots.write(now: start + 300)
        #expect(try BoundedFile.bytes(of: movedTo, limit: .max) == damaged)
        #expect(directoryEntries(directory).count == 2)
    }

    @Test("A truncated or foreign state file is refused with a clear reason")
    func truncatedAndForeign() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/state"
        _ = try StateSnapshots(path: path, store: populatedStore(torrents: 50), logger: quietLogger).write(now: start)
        let good = try BoundedFile.bytes(of: path, limit: .max)
        for (bytes, expected) in [(Array(good.prefix(good.count - 100)), "truncated"),
                                  (Array("d8:completei3ee".utf8), "not a RingTracker snapshot")] {
            _ = try AtomicFile.write([bytes], to: path)
            let snapshots = StateSnapshots(path: path, store: freshStore(), logger: quietLogger)
            let report = snapshots.loadAtStartup(now: start)
            #expect("\(report)".contains(expected), "\(report)")
            #expect(snapshots.store.statistics() == StoreStatistics())
        }
    }

    @Test("A 1 GiB state file is judged by its 56-byte header, never read whole (issue 12, finding 5)")
    func giantFilesRefusedByHeader() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/state"
        _ = try StateSnapshots(path: path, store: populatedStore(torrents: 5), logger: quietLogger).write(now: start)
        let good = try BoundedFile.bytes(of: path, limit: .max)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakBefore = usage.ru_maxrss
        // A sparse file with no magic, then a valid header followed by a sparse gigabyte.
        for (head, expected) in [([UInt8](), "not a RingTracker snapshot"), (Array(good.prefix(56)), "the header describes")] {
            _ = try AtomicFile.write([head], to: path)
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            try #require(fd >= 0)
            try #require(ftruncate(fd, 1 << 30) == 0)
            close(fd)
            let snapshots = StateSnapshots(path: path, store: freshStore(), logger: quietLogger)
            let report = snapshots.loadAtStartup(now: start)
            #expect("\(report)".contains(expected), "\(report)")
            guard case .refused(_, let movedTo?) = report else {
                Issue.record("expected the file to be moved aside: \(report)")
                continue
            }
            unlink(movedTo)
        }
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #expect(usage.ru_maxrss - peakBefore < 64 * 1024, "peak RSS grew \(usage.ru_maxrss - peakBefore) KiB")
    }

    @Test("The periodic writer writes the state file on its interval and stops when asked")
    func periodicWriter() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/state"
        let snapshots = StateSnapshots(path: path, store: populatedStore(torrents: 20), logger: quietLogger)
        let stop = StopSignal()
        let thread = try snapshots.startPeriodic(interval: 1, stop: stop, clock: { start })
        // Bounded wait for the first write (interval 1 s): up to 10 s in 10 ms steps.
        var waited = 0
        while (try? BoundedFile.bytes(of: path, limit: .max)) == nil && waited < 1000 {
            var step = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            _ = nanosleep(&step, nil)
            waited += 1
        }
        stop.request()
        thread.join()
        let bytes = try BoundedFile.bytes(of: path, limit: .max)
        #expect(try SnapshotDecoder.validate(bytes.span).torrents == 20)
    }

    @Test("A partial temporary from an interrupted write leaves the previous snapshot usable (simulated kill -9)")
    func simulatedKillDuringWrite() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/state"
        let store = populatedStore(torrents: 200)
        _ = try StateSnapshots(path: path, store: store, logger: quietLogger).write(now: start)
        // What a writer killed mid-write leaves: the first part of a newer snapshot under its temp name.
        let newer = populatedStore(torrents: 400).encodeSnapshot(now: start + 300).flatMap { $0 }
        let dead = deadProcessID()
        _ = try AtomicFile.write([Array(newer.prefix(newer.count / 2))], to: "\(path).tmp-\(dead)")

        let restarted = StateSnapshots(path: path, store: freshStore(), logger: quietLogger)
        guard case .loaded(let loaded, _, _) = restarted.loadAtStartup(now: start + 400) else {
            Issue.record("expected the previous snapshot to load")
            return
        }
        #expect(loaded.torrents == 200)
        #expect(directoryEntries(directory) == ["state"], "the stale temporary is removed")
    }

    @Test("kill -9 of a process in the middle of repeated snapshot writes never leaves an unusable state file")
    func realKillDuringWrite() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/state"
        // Two valid snapshots of different sizes (a few MB: each write takes milliseconds).
        let first = populatedStore(torrents: 20_000).encodeSnapshot(now: start)
        let second = populatedStore(torrents: 30_000).encodeSnapshot(now: start + 60)
        let valid = [first.flatMap { $0 }, second.flatMap { $0 }]
        _ = try AtomicFile.write(first, to: path)
        var interrupted = 0
        for round in 0..<8 {
            // The writer is a separate process (an exit test: spawned, not forked from this threaded
            // one, so it may allocate freely). It rewrites the state file until a timer thread of its
            // own sends it SIGKILL: a kill -9 at an arbitrary point of a write.
            let delayNanoseconds = 20_000_000 + 7_000_000 * round
            await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String, delayNanoseconds = delayNanoseconds as Int] in
                let snapshots = [
                    populatedStore(torrents: 20_000).encodeSnapshot(now: start),
                    populatedStore(torrents: 30_000).encodeSnapshot(now: start + 60),
                ]
                let killer = try WorkerThread(name: "killer") {
                    var pause = timespec(tv_sec: 0, tv_nsec: delayNanoseconds)
                    _ = nanosleep(&pause, nil)
                    kill(getpid(), SIGKILL)
                }
                // Bounded by the kill above; the count only guards against a kill that never comes.
                for turn in 0..<1_000_000 {
                    _ = try? AtomicFile.write(snapshots[(turn + 1) % 2], to: path)
                }
                killer.join()
            }
            if directoryEntries(directory).contains(where: { $0.hasPrefix("state.tmp-") }) { interrupted += 1 }
            let bytes = try BoundedFile.bytes(of: path, limit: .max)
            #expect(valid.contains(bytes), "round \(round): the state file is one complete snapshot")
            #expect(throws: Never.self) { try SnapshotDecoder.validate(bytes.span) }
            _ = AtomicFile.removeStaleTemporaries(of: path)
        }
        // Most kills land inside a write (the child spends its time writing); at least one must.
        #expect(interrupted > 0)
    }
}

private func directoryEntries(_ directory: String) -> Set<String> {
    guard let stream = opendir(directory) else { return [] }
    defer { closedir(stream) }
    var names: Set<String> = []
    while let entry = readdir(stream) {
        let name = withUnsafePointer(to: &entry.pointee.d_name) { field in
            field.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.insert(name) }
    }
    return names
}

private func deadProcessID() -> Int32 {
    let child = fork()
    if child == 0 { _exit(0) }
    var status: Int32 = 0
    _ = waitpid(child, &status, 0)
    return child
}
