import FuzzSupport
import TrackerCore
import TrackerProtocol

/// opentracker's statedump as `--import-statedump` reads it (`OpentrackerStatedump`), imported
/// into a store the way the daemon does at start, and written out again as `/stats?mode=statedump`.
///
/// Checked against a reference reading of the format (`HEX40:base_minutes:downloaded`, decimal
/// fields of at most 20 digits that fit 64 bits; LF, CRLF and a lone CR end a line): the same entries
/// in order and the same number of ignored lines; entries written back read back unchanged; each
/// torrent is imported once with the first line's count, never active later than now; the store's
/// totals match its shards; the store's own statedump reads back as what it holds.
enum StatedumpFuzz {
    static let now: UInt32 = 1_800_000_000

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let dump = OpentrackerStatedump(parsing: text)
        var expected: [OpentrackerStatedump.Entry] = []
        var ignored = 0
        for line in FuzzText.lines(Array(text.utf8)) {
            if let entry = reference(line) { expected.append(entry) } else if !line.isEmpty { ignored += 1 }
        }
        invariant(dump.entries == expected, "\(dump.entries.count) entries read, the format gives \(expected.count)")
        invariant(dump.ignoredLines == ignored, "\(dump.ignoredLines) lines ignored, the format gives \(ignored)")

        let written = dump.entries.map { "\($0.infoHash.hex.lowercased()):\($0.baseMinutes):\($0.downloaded)\r\n" }.joined()
        let reread = OpentrackerStatedump(parsing: written)
        invariant(reread.entries == dump.entries && reread.ignoredLines == 0, "entries written back read differently")

        let store = TorrentStore(configuration: FuzzFixtures.storeConfiguration, hashSeed: 0x5EED)
        var first: [InfoHash: OpentrackerStatedump.Entry] = [:]
        for entry in dump.entries {
            let lastActivity = entry.lastActivity(now: now)
            invariant(lastActivity <= now, "imported torrent active at \(lastActivity), after now")
            let added = store.importTorrent(entry.infoHash, downloaded: UInt32(clamping: entry.downloaded), lastActivity: lastActivity)
            invariant(added == (first[entry.infoHash] == nil), "import of a \(added ? "known" : "new") torrent returned \(added)")
            if first[entry.infoHash] == nil { first[entry.infoHash] = entry }
        }
        StoreCensus.requireConsistentTotals(store, "after the import")
        let census = StoreCensus(store)
        invariant(census.torrents.count == first.count, "\(census.torrents.count) torrents for \(first.count) distinct hashes")
        for (hash, entry) in first {
            let torrent = census.torrents[hash]
            invariant(torrent?.counts == ScrapeCounts(downloaded: UInt32(clamping: entry.downloaded))
                      && torrent?.lastActivity == entry.lastActivity(now: now), "torrent \(hash) imported as \(String(describing: torrent))")
        }

        var exported: [UInt8] = []
        for shard in 0..<store.shardCount {
            store.forEachTorrent(shard: shard) { hash, counts, lastActivity in
                HTTPFullScrapeFormat.statedump.appendEntry(
                    hash, seeders: counts.seeders, leechers: counts.leechers, downloaded: counts.downloaded,
                    lastActivity: lastActivity, to: &exported)
            }
        }
        let back = OpentrackerStatedump(parsing: String(decoding: exported, as: UTF8.self))
        invariant(back.ignoredLines == 0 && back.entries.count == first.count, "the store's statedump does not read back whole")
        for entry in back.entries {
            let torrent = census.torrents[entry.infoHash]
            invariant(UInt64(torrent?.counts.downloaded ?? 0) == entry.downloaded
                      && UInt64((torrent?.lastActivity ?? 0) / 60) == entry.baseMinutes, "statedump line for \(entry.infoHash) differs from the store")
        }
    }

    /// `HEX40:digits:digits`, each number at most 20 digits and within UInt64.
    static func reference(_ line: ArraySlice<UInt8>) -> OpentrackerStatedump.Entry? {
        let fields = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 40, fields[0].allSatisfy({ FuzzText.hexValue($0) != nil }),
            let base = decimal(fields[1]), let downloaded = decimal(fields[2])
        else { return nil }
        var hash = [UInt8]()
        var index = fields[0].startIndex
        while index < fields[0].endIndex {
            hash.append(FuzzText.hexValue(fields[0][index])! << 4 | FuzzText.hexValue(fields[0][index + 1])!)
            index += 2
        }
        return OpentrackerStatedump.Entry(infoHash: InfoHash(bytes: hash), baseMinutes: base, downloaded: downloaded)
    }

    static func decimal(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }
}
