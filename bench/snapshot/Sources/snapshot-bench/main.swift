// Measures a --state-file snapshot of a large store: encode (shard by shard, one lock at a time),
// atomic write (temp + fsync + rename + directory fsync), read back, validate and load with expiry.
//
//   swift run -c release snapshot-bench [torrents] [path]     (defaults: 1000000, ./snapshot-bench.state)
import Glibc
import TrackerCore
import TrackerIO
import TrackerProtocol

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func loadAverage() -> String {
    var values = [Double](repeating: 0, count: 3)
    let count = getloadavg(&values, 3)
    return count == 3 ? values.map { fmt($0, 2) }.joined(separator: " ") : "n/a"
}

/// CPU time of this thread: on a shared, loaded machine wall time alone overstates the work.
func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func fmt(_ value: Double, _ digits: Int = 3) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return String(Double((value * scale).rounded()) / scale)
}

let arguments = CommandLine.arguments
let torrentCount = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let path = arguments.count > 2 ? arguments[2] : "./snapshot-bench.state"
let now: UInt32 = 1_700_000_000
let configuration = TrackerConfiguration()   // defaults: 1024 shards, 45 min peer timeout

// Two peers per torrent: a leecher and a seeder; one torrent in five has its seeder on IPv6, one in
// ten has a completed download. Peer stamps spread over the last 40 minutes (all still live).
let store = TorrentStore(configuration: configuration, hashSeed: 1)
var rng = Xoshiro256(seed: 2024)
var buffer = [UInt8](repeating: 0, count: 64)
let populateStart = ContinuousClock.now
do {
    var span = buffer.mutableSpan
    var raw = unsafe span.mutableBytes
    for index in 0..<torrentCount {
        var hashBytes = [UInt8](repeating: 0, count: 20)
        for chunk in 0..<3 {
            let word = rng.next()
            for byte in 0..<(chunk == 2 ? 4 : 8) { hashBytes[chunk * 8 + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(byte))) }
        }
        let hash = InfoHash(bytes: hashBytes)
        let age = UInt32(truncatingIfNeeded: rng.next() % 2400)
        let leecher = PeerEndpoint.v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: rng.next())), port: 6881)
        _ = store.announce(Announce(infoHash: hash, event: .started, isSeeder: false, numWant: 0),
                           from: leecher, now: now - age, rng: &rng, peers: &raw, at: 0)
        let seeder: PeerEndpoint = index % 5 == 0
            ? .v6(IPv6Address(high: 0x2001_0DB8_0000_0000 | rng.next() >> 32, low: rng.next()), port: 51413)
            : .v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: rng.next())), port: 51413)
        _ = store.announce(Announce(infoHash: hash, event: index % 10 == 0 ? .completed : .none, isSeeder: true, numWant: 0),
                           from: seeder, now: now - age / 2, rng: &rng, peers: &raw, at: 0)
    }
}
let populateSeconds = seconds(since: populateStart)
let statistics = store.statistics()

// Write: what StateSnapshots.write does, with encoding and writing timed apart (the daemon writes
// each block as soon as it is encoded).
let encodeStart = ContinuousClock.now
var encoder = SnapshotEncoder(shardCount: store.shardCount, created: now)
var longestShard = 0.0
var parts: [[UInt8]] = [[]]
var lockHolds: [Double] = []
lockHolds.reserveCapacity(store.shardCount)
let encodeCPUStart = threadCPUSeconds()
for shard in 0..<store.shardCount {
    let lockStart = ContinuousClock.now
    let copy = store.copyForSnapshot(shard: shard)
    let held = seconds(since: lockStart)
    longestShard = max(longestShard, held)
    lockHolds.append(held)
    parts.append(encoder.add(copy.encode(now: now)))
}
parts[0] = encoder.header.bytes
parts.append(encoder.trailer())
let encodeSeconds = seconds(since: encodeStart)
let encodeCPU = threadCPUSeconds() - encodeCPUStart
lockHolds.sort()
let medianHold = lockHolds[lockHolds.count / 2]
let p99Hold = lockHolds[lockHolds.count * 99 / 100]
let writeStart = ContinuousClock.now
let writeCPUStart = threadCPUSeconds()
let bytesWritten: Int
do {
    bytesWritten = try AtomicFile.write(parts, to: path)
} catch {
    print("write \(path): \(error)")
    exit(1)
}
let writeSeconds = seconds(since: writeStart)
let writeCPU = threadCPUSeconds() - writeCPUStart

// Load: what StateSnapshots.loadAtStartup does, ten minutes later (peers older than 45 min expire).
let loadNow = now + 600
let fresh = TorrentStore(configuration: configuration, hashSeed: 3)
let readStart = ContinuousClock.now
let loadCPUStart = threadCPUSeconds()
let bytes: [UInt8]
do {
    bytes = try BoundedFile(opening: path, limit: Int.max).readAll()
} catch {
    print("read \(path): \(error)")
    exit(1)
}
let readSeconds = seconds(since: readStart)
let validateStart = ContinuousClock.now
_ = try? SnapshotDecoder.validate(bytes.span)
let validateSeconds = seconds(since: validateStart)
let loadStart = ContinuousClock.now
let report: SnapshotLoadReport
do {
    report = try SnapshotDecoder.load(bytes: bytes, into: fresh, now: loadNow)
} catch {
    print("load: \(error)")
    exit(1)
}
let loadSeconds = seconds(since: loadStart)
let loadCPU = threadCPUSeconds() - loadCPUStart
// The original as the cleaner would leave it at load time: what the loaded store must equal.
_ = store.cleanAll(now: loadNow)
unlink(path)

let snapshotTotal = encodeSeconds + writeSeconds
let loadTotal = readSeconds + loadSeconds
print("""
    | measure | value |
    |---|---|
    | torrents / peers (v4 + v6) | \(statistics.torrents) / \(statistics.peers) (\(statistics.peers4) + \(statistics.peers6)) |
    | populate via announce | \(fmt(populateSeconds)) s |
    | encode, all \(store.shardCount) shards | \(fmt(encodeSeconds)) s |
    | shard lock hold (copy out): median / p99 / max | \(fmt(medianHold * 1000)) / \(fmt(p99Hold * 1000)) / \(fmt(longestShard * 1000)) ms |
    | atomic write (write + fsync + rename + dir fsync) | \(fmt(writeSeconds)) s |
    | **snapshot total (encode + write)** | **\(fmt(snapshotTotal)) s** wall, \(fmt(encodeCPU + writeCPU)) s CPU (target ≤ 2 s) |
    | file size | \(bytesWritten) B (\(fmt(Double(bytesWritten) / 1_048_576, 1)) MiB, \(fmt(Double(bytesWritten) / Double(max(statistics.peers, 1)), 1)) B/peer) |
    | read file | \(fmt(readSeconds)) s |
    | validate only (all checksums + structure) | \(fmt(validateSeconds)) s |
    | load (validate + decode + insert, expiry at +10 min) | \(fmt(loadSeconds)) s |
    | **load total (read + load)** | **\(fmt(loadTotal)) s** wall, \(fmt(loadCPU)) s CPU (target ≤ 3 s) |
    | loaded torrents / peers / expired | \(report.torrents) / \(report.peers) / \(report.peersExpired) |
    | restored store equals the original cleaned at load time | \(fresh.statistics() == store.statistics()) |
    | load average during the run (2 CPUs, shared) | \(loadAverage()) |
    """)
