import FuzzSupport
@testable import TrackerCore
import TrackerProtocol

/// The state file loader (`SnapshotDecoder`): a file as `--state-file` would read it at start.
///
/// Input: a control byte, then the file. Bit 0 asks to repair the checksums (header CRC, each
/// block's CRC over the lengths the file claims, the trailer CRC) before loading, so the fuzzer
/// gets past CRC-32C and into the structure checks; bits 1–7 are how many 11-minute steps after
/// the snapshot it is loaded, so peers and torrents expire on the way in.
///
/// Checked: validation and loading refuse the same files with the same error, and a refused file
/// leaves the store empty; a loaded file accounts for every torrent and peer its header announces
/// (kept, dropped or expired); the store's totals match its shards; the store written back is a
/// valid snapshot whose header counts what the store holds, which loads into a second store with
/// the same torrents, and which that store writes back record for record.
enum SnapshotFuzz {
    static let configuration = FuzzFixtures.storeConfiguration

    static func run(_ input: FuzzReader) {
        var input = input
        let control = input.byte()
        var file = input.rest()
        if control & 1 != 0 { repairChecksums(&file) }
        let header = try? SnapshotHeader(parsing: file.span)
        let created = header.map { UInt32(clamping: $0.created) } ?? 1_800_000_000
        let (now, _) = created.addingReportingOverflow(UInt32(control >> 1) * 11 * 60)

        let store = TorrentStore(configuration: configuration, hashSeed: 0x5EED)
        let validated: SnapshotHeader
        do {
            validated = try SnapshotDecoder.validate(file.span)
        } catch {
            do {
                _ = try SnapshotDecoder.load(file.span, into: store, now: now)
                invariant(false, "validation refused the file (\(error)), loading took it")
            } catch let loadError {
                invariant(loadError == error, "validation says \(error), loading says \(loadError)")
            }
            invariant(StoreCensus(store).torrents.isEmpty, "a refused file left torrents in the store")
            return
        }
        invariant(validated.bytes == Array(file[0..<SnapshotFormat.headerSize]), "the header does not round-trip")
        let report: SnapshotLoadReport
        do {
            report = try SnapshotDecoder.load(file.span, into: store, now: now)
        } catch {
            return invariant(false, "a validated file failed to load: \(error)")
        }
        invariant(report.torrents + report.torrentsDropped == validated.torrents,
                  "\(report.torrents) kept + \(report.torrentsDropped) dropped of \(validated.torrents) torrents")
        invariant(report.peers + report.peersExpired <= validated.peers4 + validated.peers6,
                  "more peers loaded or expired than the file holds")
        StoreCensus.requireConsistentTotals(store, "after loading")
        let census = StoreCensus(store)
        invariant(census.torrents.count <= report.torrents && census.statistics.peers <= report.peers, "the store holds more than was loaded")

        let written = store.encodeSnapshot(now: now).flatMap { $0 }
        guard let rewritten = try? SnapshotDecoder.validate(written.span) else {
            return invariant(false, "the store's own snapshot does not validate")
        }
        invariant(rewritten.torrents == census.statistics.torrents && rewritten.peers4 == census.statistics.peers4
                  && rewritten.peers6 == census.statistics.peers6, "the snapshot header does not count the store")
        let second = TorrentStore(configuration: configuration, hashSeed: 0xD1FF)
        guard (try? SnapshotDecoder.load(written.span, into: second, now: now)) != nil else {
            return invariant(false, "the store's own snapshot does not load")
        }
        invariant(StoreCensus(second) == census, "the store's snapshot loads as another store")
        let again = second.encodeSnapshot(now: now).flatMap { $0 }
        invariant(records(again) == records(written), "a reloaded store writes other records")
    }

    /// Every torrent record of a validated file, its peers sorted: equal for two stores holding
    /// the same swarms, whatever their shard order or peer order.
    static func records(_ file: [UInt8]) -> [InfoHash: [UInt8]] {
        var records: [InfoHash: [UInt8]] = [:]
        let span = file.span
        let shards = Int(WireBytes.uint32(span, at: 24))
        var offset = SnapshotFormat.headerSize
        for _ in 0..<shards {
            let torrents = Int(WireBytes.uint32(span, at: offset + 4))
            offset += SnapshotFormat.blockHeaderSize
            for _ in 0..<torrents {
                let count4 = Int(WireBytes.uint32(span, at: offset + 28))
                let count6 = Int(WireBytes.uint32(span, at: offset + 32))
                var position = offset + SnapshotFormat.torrentRecordSize
                func peers(_ count: Int, size: Int) -> [[UInt8]] {
                    defer { position += count * size }
                    return (0..<count).map { Array(file[(position + $0 * size)..<(position + ($0 + 1) * size)]) }
                }
                let sorted4 = peers(count4, size: SnapshotFormat.peer4RecordSize).sorted { $0.lexicographicallyPrecedes($1) }
                let sorted6 = peers(count6, size: SnapshotFormat.peer6RecordSize).sorted { $0.lexicographicallyPrecedes($1) }
                records[InfoHash(span, at: offset)] = Array(file[(offset + 20)..<(offset + 36)]) + sorted4.joined() + sorted6.joined()
                offset = position
            }
        }
        return records
    }

    /// Recomputes every checksum over the lengths the file claims, as far as the file reaches.
    static func repairChecksums(_ file: inout [UInt8]) {
        guard file.count >= SnapshotFormat.headerSize, file.starts(with: SnapshotFormat.magic) else { return }
        var crc = CRC32C()
        crc.update(file.span, from: 0, to: SnapshotFormat.headerSize - 4)
        store(crc.value, into: &file, at: SnapshotFormat.headerSize - 4)
        var fileCRC = CRC32C()
        fileCRC.update(file.span, from: 0, to: SnapshotFormat.headerSize)
        let shards = min(Int(WireBytes.uint32(file.span, at: 24)), SnapshotFormat.maximumShards)
        var offset = SnapshotFormat.headerSize
        for _ in 0..<shards {
            guard offset + SnapshotFormat.blockHeaderSize <= file.count else { return }
            let length = Int(WireBytes.uint32(file.span, at: offset + 8))
            guard offset + SnapshotFormat.blockHeaderSize + length <= file.count else { return }
            store(SnapshotBlock.checksum(file.span, at: offset, payloadLength: length), into: &file, at: offset + 12)
            fileCRC.update(file.span, from: offset, to: offset + SnapshotFormat.blockHeaderSize)
            offset += SnapshotFormat.blockHeaderSize + length
        }
        guard offset + SnapshotFormat.trailerSize <= file.count else { return }
        store(fileCRC.value, into: &file, at: offset + 8)
    }

    static func store(_ value: UInt32, into file: inout [UInt8], at offset: Int) {
        for index in 0..<4 { file[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(index))) }
    }
}
