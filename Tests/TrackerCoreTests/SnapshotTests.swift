@testable import TrackerCore
import Testing
import TrackerProtocol

/// A store with v4 and v6 swarms of several shapes: single peers (inline), small lists, a swarm
/// large enough to be indexed, seeders, leechers and completed downloads.
private func populated(configuration: TrackerConfiguration = TrackerConfiguration(shardCount: 16)) -> Harness {
    var h = Harness(configuration: configuration)
    h.announce(testHash(1), from: v4(1))
    h.announce(testHash(2), from: v6(2), seeder: true)
    h.announce(testHash(3), from: v4(3), event: .completed, seeder: true)
    h.announce(testHash(3), from: v6(3))
    h.announce(testHash(3), from: v4(4))
    for i in 1...40 {
        h.announce(testHash(4), from: v4(UInt32(100 + i), port: UInt16(1000 + i)), seeder: i.isMultiple(of: 3), numWant: 0)
        h.announce(testHash(4), from: v6(UInt64(100 + i)), event: i.isMultiple(of: 5) ? .completed : .none,
                   seeder: i.isMultiple(of: 5), numWant: 0)
    }
    for n in 10..<60 { h.announce(testHash(UInt64(n)), from: v4(UInt32(n)), seeder: n.isMultiple(of: 2)) }
    return h
}

private func fileBytes(_ store: TorrentStore, now: UInt32) -> [UInt8] {
    store.encodeSnapshot(now: now).flatMap { $0 }
}

private let hashes: [InfoHash] = ([1, 2, 3, 4] + Array(10..<60)).map { testHash(UInt64($0)) }

@Suite("Snapshots of the store")
struct SnapshotTests {
    @Test("CRC-32C matches the published check value for \"123456789\"")
    func crcCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        var split = CRC32C()
        split.update(Array("1234".utf8))
        split.update(Array("56789".utf8))
        #expect(split.value == 0xE306_9283)
    }

    @Test("A snapshot loads into a fresh store with identical scrapes, statistics and swarms")
    func roundTrip() throws {
        var original = populated()
        let bytes = fileBytes(original.store, now: original.now)
        // A different shard count and hash seed: records are re-sharded on load.
        var restored = Harness(configuration: TrackerConfiguration(shardCount: 64))
        restored.now = original.now + 60
        let report = try SnapshotDecoder.load(bytes: bytes, into: restored.store, now: restored.now)

        #expect(restored.store.statistics() == original.store.statistics())
        #expect(report.torrents == original.store.statistics().torrents)
        #expect(report.peers == original.store.statistics().peers)
        #expect(report.peersExpired == 0 && report.torrentsDropped == 0)
        for hash in hashes { #expect(restored.store.scrape(hash) == original.store.scrape(hash)) }

        // A newcomer sees every peer of its family in both stores.
        for (newcomer, hash) in [(v4(9999), testHash(4)), (v6(9999), testHash(4)), (v4(9999), testHash(3))] {
            let before = original.announce(hash, from: newcomer, numWant: 200)
            let after = restored.announce(hash, from: newcomer, numWant: 200)
            #expect(after.outcome == before.outcome)
            #expect(Set(after.peers) == Set(before.peers))
        }
        // Completed flags survived: a peer that already completed does not count twice.
        let again = restored.announce(testHash(3), from: v4(3), event: .completed, seeder: true)
        #expect(again.outcome.downloaded == 1)
        // Existing peers are found again (re-announce is not a new peer), in the indexed swarm too.
        let count = restored.store.scrape(testHash(4))
        restored.announce(testHash(4), from: v4(101, port: 1001), numWant: 0)
        #expect(restored.store.scrape(testHash(4)).leechers + restored.store.scrape(testHash(4)).seeders
                == count.leechers + count.seeders)
    }

    @Test("Peers older than the peer timeout are discarded on load; a torrent with downloads is kept")
    func expiryOnLoad() throws {
        var h = Harness()
        let start = h.now
        h.announce(testHash(1), from: v4(1))                                   // old, no downloads: torrent dropped
        h.announce(testHash(2), from: v4(2), event: .completed, seeder: true)  // old, but a download
        h.announce(testHash(3), from: v4(3))                                   // old
        h.announce(testHash(3), from: v6(3))                                   // old
        h.now = start + 2000
        h.announce(testHash(3), from: v4(4), seeder: true)                     // fresh
        let bytes = fileBytes(h.store, now: start + 2100)

        let fresh = TorrentStore(configuration: TrackerConfiguration(shardCount: 16), hashSeed: 9)
        // 2,700 s timeout: at start + 2,900 the first peers are 48 min old, the last one 15 min.
        let report = try SnapshotDecoder.load(bytes: bytes, into: fresh, now: start + 2900)
        #expect(report.peersExpired == 4)
        #expect(report.torrentsDropped == 1)
        #expect(report.torrents == 2 && report.peers == 1)
        #expect(fresh.scrape(testHash(1)) == .zero)
        #expect(fresh.scrape(testHash(2)) == ScrapeCounts(seeders: 0, leechers: 0, downloaded: 1))
        #expect(fresh.scrape(testHash(3)) == ScrapeCounts(seeders: 1, leechers: 0, downloaded: 0))
        // The survivor keeps its original stamp: the cleaner expires it on schedule, not later.
        #expect(fresh.cleanAll(now: start + 2000 + 2700 - 60).peersRemoved == 0)
        #expect(fresh.cleanAll(now: start + 2000 + 2700 + 120).peersRemoved == 1)
        // Everything is gone once the snapshot is older than the retention of downloads too.
        let late = TorrentStore(configuration: TrackerConfiguration(shardCount: 16), hashSeed: 9)
        let lateReport = try SnapshotDecoder.load(bytes: bytes, into: late, now: start + 90_000)
        #expect(lateReport.torrents == 0 && late.statistics() == StoreStatistics())
    }

    @Test("An empty store round-trips to an empty store")
    func emptyStore() throws {
        let store = TorrentStore(configuration: TrackerConfiguration(shardCount: 4), hashSeed: 1)
        let bytes = fileBytes(store, now: 1_700_000_000)
        #expect(bytes.count == SnapshotFormat.headerSize + 4 * SnapshotFormat.blockHeaderSize + SnapshotFormat.trailerSize)
        let fresh = TorrentStore(configuration: TrackerConfiguration(shardCount: 4), hashSeed: 2)
        #expect(try SnapshotDecoder.load(bytes: bytes, into: fresh, now: 1_700_000_000) == SnapshotLoadReport(created: 1_700_000_000))
    }

    @Test("A file cut at any length is refused and inserts nothing")
    func truncatedEverywhere() {
        let h = populated()
        let bytes = fileBytes(h.store, now: h.now)
        for cut in 0..<bytes.count {
            let fresh = TorrentStore(configuration: TrackerConfiguration(shardCount: 16), hashSeed: 3)
            #expect(throws: SnapshotError.self) { try SnapshotDecoder.load(bytes: Array(bytes[..<cut]), into: fresh, now: h.now) }
            #expect(fresh.statistics() == StoreStatistics())
        }
        let fresh = TorrentStore(configuration: TrackerConfiguration(shardCount: 16), hashSeed: 3)
        #expect(throws: SnapshotError.truncated(expected: bytes.count, actual: bytes.count - 1)) {
            try SnapshotDecoder.load(bytes: Array(bytes.dropLast()), into: fresh, now: h.now)
        }
    }

    @Test("Flipping any single byte makes the file refused and inserts nothing")
    func everyByteCorrupted() {
        var h = Harness(configuration: TrackerConfiguration(shardCount: 2))
        h.announce(testHash(1), from: v4(1), event: .completed, seeder: true)
        h.announce(testHash(1), from: v6(2))
        h.announce(testHash(2), from: v4(3))
        let bytes = fileBytes(h.store, now: h.now)
        for position in bytes.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[position] ^= mask
                let fresh = TorrentStore(configuration: TrackerConfiguration(shardCount: 2), hashSeed: 3)
                #expect(throws: SnapshotError.self, "byte \(position) ^ \(mask)") {
                    try SnapshotDecoder.load(bytes: damaged, into: fresh, now: h.now)
                }
                #expect(fresh.statistics() == StoreStatistics())
            }
        }
    }

    @Test("A damaged payload is reported as a checksum mismatch in its block")
    func blockChecksum() {
        var h = Harness(configuration: TrackerConfiguration(shardCount: 1))
        h.announce(testHash(1), from: v4(1))
        var bytes = fileBytes(h.store, now: h.now)
        bytes[SnapshotFormat.headerSize + SnapshotFormat.blockHeaderSize + 3] ^= 0x10
        #expect(throws: SnapshotError.checksumMismatch(block: 0)) {
            try SnapshotDecoder.validate(bytes.span)
        }
    }

    @Test("Another program's file is named as not a snapshot")
    func foreignFile() {
        let store = TorrentStore(configuration: TrackerConfiguration(shardCount: 2), hashSeed: 1)
        for foreign in [Array("d8:announce35:udp://tracker.example:6969e".utf8), [0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0, count: 100),
                        Array("RTSNAX\0\0 and more".utf8)] {
            #expect(throws: SnapshotError.notASnapshot) { try SnapshotDecoder.load(bytes: foreign, into: store, now: 0) }
        }
        #expect(throws: SnapshotError.truncated(expected: SnapshotFormat.headerSize, actual: 0)) {
            try SnapshotDecoder.load(bytes: [], into: store, now: 0)
        }
    }

    @Test("A snapshot from a future format version is refused as unsupported")
    func futureVersion() {
        let h = populated()
        var bytes = fileBytes(h.store, now: h.now)
        bytes[11] = 2
        #expect(throws: SnapshotError.unsupportedVersion(2)) { try SnapshotDecoder.load(bytes: bytes, into: h.store, now: h.now) }
        #expect(SnapshotError.unsupportedVersion(2).description.contains("version 2"))
    }

    @Test("Bytes after the trailer are refused")
    func trailingGarbage() {
        let h = populated()
        let bytes = fileBytes(h.store, now: h.now) + [0]
        let fresh = TorrentStore(configuration: TrackerConfiguration(shardCount: 16), hashSeed: 3)
        #expect(throws: SnapshotError.malformed("1 bytes after the trailer")) {
            try SnapshotDecoder.load(bytes: bytes, into: fresh, now: h.now)
        }
    }

    @Test("The header records totals and the creation time")
    func headerTotals() throws {
        let h = populated()
        let bytes = fileBytes(h.store, now: h.now)
        let header = try SnapshotDecoder.validate(bytes.span)
        let statistics = h.store.statistics()
        #expect(header == SnapshotHeader(created: UInt64(h.now), shardCount: 16, torrents: statistics.torrents,
                                         peers4: statistics.peers4, peers6: statistics.peers6))
        #expect(Array(bytes[0..<8]) == Array("RTSNAP".utf8) + [0, 0])
    }
}
