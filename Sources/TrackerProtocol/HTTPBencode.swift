// The bencoded bodies of the HTTP path (BEP 3, BEP 7, BEP 23, BEP 48), byte for byte opentracker's
// (trackerlogic.c `return_peers_for_torrent`, `return_tcp_scrape_for_torrent`). Keys are written in sorted raw-byte order.
public enum HTTPBencode {
    /// The counts and timers of an announce reply.
    public struct AnnounceCounts: Hashable, Sendable {
        public var seeders: UInt32
        public var leechers: UInt32
        public var downloaded: UInt32
        public var interval: UInt32

        public init(seeders: UInt32, leechers: UInt32, downloaded: UInt32, interval: UInt32) {
            self.seeders = seeders
            self.leechers = leechers
            self.downloaded = downloaded
            self.interval = interval
        }
    }

    /// `d8:completei…e10:downloadedi…e10:incompletei…e8:intervali…e12:min intervali…e5:peers…[6:peers6…]e`.
    /// `peers` holds `compactPeers` for an IPv4 requester; for an IPv6 requester it is empty and the
    /// 18-byte records go in `peers6` (BEP 7), so clients that insist on a `peers` key still parse it.
    /// A `stopped` reply leaves out `downloaded`, as opentracker does.
    /// `compactPeers` is concrete (not `some Collection`): a generic public function called from
    /// the HTTP front is not specialised across the module boundary and ran through runtime
    /// generics on every announce.
    public static func announce(
        _ counts: AnnounceCounts, compactPeers: ArraySlice<UInt8>, ipv6: Bool, stopped: Bool = false
    ) -> [UInt8] {
        var writer = BencodeWriter(reservingCapacity: 96 + compactPeers.count)
        writeCounts(counts, stopped: stopped, into: &writer)
        writer.string("peers")
        if ipv6 {
            writer.string([UInt8]())
            writer.string("peers6")
        }
        writer.string(compactPeers)
        writer.end()
        return writer.bytes
    }

    /// BEP 3 non-compact form (`compact=0`): `peers` is a list of `d2:ip…4:porti…ee`. Peer IDs are
    /// not stored (peers are keyed by address and port), so `peer id` is never sent.
    /// `compactPeers` holds records of `peerSize` bytes (6 or 18).
    public static func announceDictionary(
        _ counts: AnnounceCounts, compactPeers: [UInt8], peerSize: Int, stopped: Bool = false
    ) -> [UInt8] {
        var writer = BencodeWriter(reservingCapacity: 96 + compactPeers.count * 4)
        writeCounts(counts, stopped: stopped, into: &writer)
        writer.string("peers")
        writer.beginList()
        var offset = 0
        while peerSize > 0 && offset + peerSize <= compactPeers.count {
            let record = compactPeers[offset..<(offset + peerSize)]
            writer.beginDictionary()
            writer.string("ip")
            writer.string(addressText(record.dropLast(2)))
            writer.string("port")
            let port = Int64(record[record.endIndex - 2]) << 8 | Int64(record[record.endIndex - 1])
            writer.integer(port)
            writer.end()
            offset += peerSize
        }
        writer.end()
        writer.end()
        return writer.bytes
    }

    /// `d14:failure reason<n>:<text>e`, sent with HTTP 200 so clients show the text.
    public static func failure(_ message: String) -> [UInt8] {
        var writer = BencodeWriter(reservingCapacity: 32 + message.utf8.count)
        writer.beginDictionary()
        writer.string("failure reason")
        writer.string(message)
        writer.end()
        return writer.bytes
    }

    /// `d5:filesd20:<hash>d8:completei…e10:downloadedi…e10:incompletei…ee…ee`. Entries must come
    /// sorted by hash; torrents the tracker does not know (all counts zero) are left out, as opentracker.
    public static func scrape(_ entries: [(InfoHash, seeders: UInt32, leechers: UInt32, downloaded: UInt32)]) -> [UInt8] {
        // The same bytes as a full scrape in its default `ben` format, over the asked-for hashes.
        let format = HTTPFullScrapeFormat.ben
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + entries.count * 80)
        format.appendPrefix(to: &bytes)
        for entry in entries where entry.seeders != 0 || entry.leechers != 0 || entry.downloaded != 0 {
            format.appendEntry(
                entry.0, seeders: entry.seeders, leechers: entry.leechers, downloaded: entry.downloaded, to: &bytes)
        }
        format.appendSuffix(to: &bytes)
        return bytes
    }

    /// `d8:completei…e10:downloadedi…e10:incompletei…ee`
    public static func appendScrapeCounts(seeders: UInt32, leechers: UInt32, downloaded: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: "d8:completei".utf8)
        ASCIIDecimal.append(UInt64(seeders), to: &bytes)
        bytes.append(contentsOf: "e10:downloadedi".utf8)
        ASCIIDecimal.append(UInt64(downloaded), to: &bytes)
        bytes.append(contentsOf: "e10:incompletei".utf8)
        ASCIIDecimal.append(UInt64(leechers), to: &bytes)
        bytes.append(contentsOf: "ee".utf8)
    }

    private static func writeCounts(_ counts: AnnounceCounts, stopped: Bool, into writer: inout BencodeWriter) {
        writer.beginDictionary()
        writer.string("complete")
        writer.integer(Int64(counts.seeders))
        if !stopped {
            writer.string("downloaded")
            writer.integer(Int64(counts.downloaded))
        }
        writer.string("incomplete")
        writer.integer(Int64(counts.leechers))
        writer.string("interval")
        writer.integer(Int64(counts.interval))
        writer.string("min interval")
        writer.integer(Int64(counts.interval / 2))
    }

    /// Dotted quad for 4 bytes, RFC 5952-style lowercase groups (no `::` compression) for 16.
    static func addressText(_ address: ArraySlice<UInt8>) -> String {
        if address.count == 4 {
            return address.map { String($0) }.joined(separator: ".")
        }
        var groups: [String] = []
        var index = address.startIndex
        while index + 1 < address.endIndex {
            groups.append(String(UInt16(address[index]) << 8 | UInt16(address[index + 1]), radix: 16))
            index += 2
        }
        return groups.joined(separator: ":")
    }
}
