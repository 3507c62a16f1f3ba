import Testing
import TrackerCore
import TrackerProtocol

@Suite("opentracker statedump")
struct OpentrackerStatedumpTests {
    @Test("A file in opentracker's format, written by hand from its load_state rules, parses line by line")
    func handWritten() throws {
        // HEX40:base_minutes:downloaded, as opentracker's fullscrape_write_one writes it; the rest
        // of the lines are what load_state skips.
        let text = """
            0123456789ABCDEF0123456789ABCDEF01234567:29512345:17
            0123456789abcdef0123456789abcdef01234568:29512000:0\r
            # not a torrent
            0123456789ABCDEF0123456789ABCDEF0123456:1:2
            0123456789ABCDEF0123456789ABCDEF01234569:12:x
            0123456789ABCDEF0123456789ABCDEF0123456A::3

            FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0:4294967296
            """
        let dump = OpentrackerStatedump(parsing: text)
        #expect(dump.entries.map(\.infoHash.hex) == [
            "0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234568",
            "ffffffffffffffffffffffffffffffffffffffff",
        ])
        #expect(dump.entries.map(\.baseMinutes) == [29_512_345, 29_512_000, 0])
        #expect(dump.entries.map(\.downloaded) == [17, 0, 4_294_967_296])
        #expect(dump.ignoredLines == 4)
    }

    @Test("LF, CRLF and lone CR line endings give the same entries")
    func lineEndings() {
        let lines = ["0123456789ABCDEF0123456789ABCDEF01234567:29512345:17", "0123456789abcdef0123456789abcdef01234568:29512000:0"]
        let expected = OpentrackerStatedump(parsing: lines.joined(separator: "\n")).entries
        #expect(expected.count == 2)
        for ending in ["\r\n", "\r"] {
            let dump = OpentrackerStatedump(parsing: lines.joined(separator: ending) + ending)
            #expect(dump.entries == expected, "\(ending.utf8.map { $0 })")
            #expect(dump.ignoredLines == 0)
        }
    }

    @Test("The line Debian's opentracker wrote for a torrent completed twice reads back with its count")
    func debianOutput() throws {
        // /stats?mode=statedump of Debian's opentracker 0.0~git20210823 on loopback (gunzipped: that
        // build always compresses tpbs/statedump), after two completed announces of one hash.
        let dump = OpentrackerStatedump(parsing: "0123456789ABCDEF0123456789ABCDEF01234567:29941319:2\n")
        #expect(dump.entries == [.init(
            infoHash: try #require(InfoHash(hex: "0123456789abcdef0123456789abcdef01234567")), baseMinutes: 29_941_319,
            downloaded: 2)])
        var exported: [UInt8] = []
        HTTPFullScrapeFormat.statedump.appendEntry(
            dump.entries[0].infoHash, seeders: 0, leechers: 0, downloaded: 2,
            lastActivity: dump.entries[0].lastActivity(now: .max), to: &exported)
        #expect(String(decoding: exported, as: UTF8.self) == "0123456789ABCDEF0123456789ABCDEF01234567:29941319:2\n",
                "RingTracker writes the same line back")
    }

    @Test("Last activity is the base in seconds, never in the future")
    func lastActivity() throws {
        let entry = OpentrackerStatedump.Entry(infoHash: InfoHash(bytes: [UInt8](repeating: 1, count: 20)), baseMinutes: 1000, downloaded: 1)
        #expect(entry.lastActivity(now: 1_000_000) == 60_000)
        #expect(entry.lastActivity(now: 50_000) == 50_000)
        let huge = OpentrackerStatedump.Entry(infoHash: entry.infoHash, baseMinutes: .max, downloaded: 1)
        #expect(huge.lastActivity(now: 7) == 7)
    }

    @Test("An imported torrent has its downloaded count and no peers; one already present is left alone")
    func importIntoStore() throws {
        let store = TorrentStore(configuration: TrackerConfiguration(shardCount: 4))
        let hash = InfoHash(bytes: [UInt8](repeating: 9, count: 20))
        #expect(store.importTorrent(hash, downloaded: 42, lastActivity: 100))
        #expect(store.scrape(hash) == ScrapeCounts(seeders: 0, leechers: 0, downloaded: 42))
        #expect(!store.importTorrent(hash, downloaded: 7, lastActivity: 100))
        #expect(store.scrape(hash).downloaded == 42)
    }

    @Test("Imported torrents count in the store's totals: --max-torrents sees them, and their expiry brings the totals back to zero")
    func importCountsInTotals() {
        // Found by Tests/fuzz (statedump target): importTorrent inserted without adding to the
        // totals, so the torrent limit and memory cap ignored imported torrents and expiring them
        // drove the torrent count negative.
        var h = Harness(configuration: TrackerConfiguration(shardCount: 4, limits: StoreLimits(maxTorrents: 2)))
        for n in 0..<2 { h.store.importTorrent(testHash(UInt64(n)), downloaded: 5, lastActivity: h.now) }
        #expect(h.store.totals.torrentCount == 2)
        #expect(h.announce(testHash(99), from: v4(1)).outcome.refusal == .torrentLimit)
        h.now += h.store.configuration.completedTorrentRetention + 120
        _ = h.store.cleanAll(now: h.now)
        #expect(h.store.statistics().torrents == 0)
        #expect(h.store.totals.torrentCount == 0)
    }
}
