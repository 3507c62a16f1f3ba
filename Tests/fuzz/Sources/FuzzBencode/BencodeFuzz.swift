import FuzzSupport
import TrackerProtocol

/// The bencode writer and every HTTP body built with it, decoded again by a strict decoder.
///
/// The first byte picks what to write from the rest of the input: (0) an arbitrary structure of
/// integers, byte strings, lists and dictionaries through `BencodeWriter`; (1) a compact announce
/// reply; (2) a `compact=0` announce reply; (3) a failure reason; (4) a scrape reply and the same
/// torrents as a `ben` full scrape. Checked: the bytes decode as canonical bencode to exactly the
/// value written (keys sorted, nothing left over), announce bodies stay within their size bound,
/// peer dictionaries name each record's address and port, a scrape leaves out unknown torrents
/// and equals the full scrape's encoding of the same entries.
enum BencodeFuzz {
    /// Structures deeper or larger than this are cut short (bounds the work per input).
    static let maximumDepth = 8
    static let maximumNodes = 256

    static func run(_ input: FuzzReader) {
        var input = input
        switch input.byte() % 5 {
        case 0: structure(&input)
        case 1: compactAnnounce(&input)
        case 2: dictionaryAnnounce(&input)
        case 3: failure(&input)
        default: scrape(&input)
        }
    }

    static func structure(_ input: inout FuzzReader) {
        var budget = maximumNodes
        let value = generate(&input, depth: 0, budget: &budget)
        var writer = BencodeWriter()
        write(value, into: &writer, input: &input)
        invariant(Bencode.decode(writer.bytes) == value, "\(value) was written as \(String(decoding: writer.bytes, as: UTF8.self))")
    }

    static func generate(_ input: inout FuzzReader, depth: Int, budget: inout Int) -> Bencode {
        budget -= 1
        let kind = input.byte()
        let container = depth < maximumDepth && budget > 0
        switch kind % 4 {
        case 2 where container:
            return .list((0..<Int(input.byte() % 8)).map { _ in generate(&input, depth: depth + 1, budget: &budget) })
        case 3 where container:
            var entries: [Bencode.Entry] = []
            for _ in 0..<Int(input.byte() % 8) {
                let key = input.bytes(Int(input.byte() % 16))
                entries.append(Bencode.Entry(key: key, value: generate(&input, depth: depth + 1, budget: &budget)))
            }
            // BEP 3: keys sorted as raw strings, each once; the writer relies on its caller for that.
            entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
            var unique: [Bencode.Entry] = []
            for entry in entries where unique.last?.key != entry.key { unique.append(entry) }
            return .dictionary(unique)
        case 0, 2:
            return .integer(Int64(bitPattern: input.uint64()))
        default:
            return .string(input.bytes(Int(input.byte())))
        }
    }

    static func write(_ value: Bencode, into writer: inout BencodeWriter, input: inout FuzzReader) {
        switch value {
        case .integer(let number):
            writer.integer(number)
        case .string(let bytes):
            // Both overloads: raw bytes, and text when the bytes are UTF-8.
            if input.bool(), let text = String(validating: bytes, as: UTF8.self) { writer.string(text) } else { writer.string(bytes) }
        case .list(let items):
            writer.beginList()
            for item in items { write(item, into: &writer, input: &input) }
            writer.end()
        case .dictionary(let entries):
            writer.beginDictionary()
            for entry in entries {
                writer.string(entry.key)
                write(entry.value, into: &writer, input: &input)
            }
            writer.end()
        }
    }

    static func counts(_ input: inout FuzzReader) -> HTTPBencode.AnnounceCounts {
        HTTPBencode.AnnounceCounts(seeders: input.uint32(), leechers: input.uint32(), downloaded: input.uint32(), interval: input.uint32())
    }

    /// The keys and integers every announce reply starts with.
    static func header(_ counts: HTTPBencode.AnnounceCounts, stopped: Bool) -> [Bencode.Entry] {
        func entry(_ key: String, _ value: UInt32) -> Bencode.Entry { Bencode.Entry(key: Array(key.utf8), value: .integer(Int64(value))) }
        return [entry("complete", counts.seeders)] + (stopped ? [] : [entry("downloaded", counts.downloaded)])
            + [entry("incomplete", counts.leechers), entry("interval", counts.interval), entry("min interval", counts.interval / 2)]
    }

    static func compactAnnounce(_ input: inout FuzzReader) {
        let counts = counts(&input)
        let flags = input.byte()
        let ipv6 = flags & 1 != 0
        let stopped = flags & 2 != 0
        let size = ipv6 ? HTTPLimits.compactPeerSizeIPv6 : HTTPLimits.compactPeerSizeIPv4
        let peers = input.padded(Int(input.byte()) % (HTTPLimits.maxNumWant + 1) * size)
        let body = HTTPBencode.announce(counts, compactPeers: peers[...], ipv6: ipv6, stopped: stopped)
        var expected = header(counts, stopped: stopped)
        expected.append(Bencode.Entry(key: Array("peers".utf8), value: .string(ipv6 ? [] : peers)))
        if ipv6 { expected.append(Bencode.Entry(key: Array("peers6".utf8), value: .string(peers))) }
        invariant(Bencode.decode(body) == .dictionary(expected), "compact announce body does not decode to its fields")
        // 140 B of keys and five 10-digit integers, ≤ 5 B of peer string length.
        invariant(body.count <= 150 + peers.count, "announce body of \(body.count) B for \(peers.count) B of peers")
    }

    static func dictionaryAnnounce(_ input: inout FuzzReader) {
        let counts = counts(&input)
        let flags = input.byte()
        let size = flags & 1 != 0 ? HTTPLimits.compactPeerSizeIPv6 : HTTPLimits.compactPeerSizeIPv4
        let stopped = flags & 2 != 0
        // Any length: a trailing partial record is not a peer.
        let peers = input.bytes(Int(input.uint16()) % (HTTPLimits.maxNumWant * size + size))
        let body = HTTPBencode.announceDictionary(counts, compactPeers: peers, peerSize: size, stopped: stopped)
        guard let decoded = Bencode.decode(body), case .list(let list)? = decoded["peers"] else {
            return invariant(false, "compact=0 body does not decode to a peers list")
        }
        invariant(decoded.keys == header(counts, stopped: stopped).map { String(decoding: $0.key, as: UTF8.self) } + ["peers"],
                  "compact=0 keys \(decoded.keys)")
        invariant(list.count == peers.count / size, "\(list.count) peer dictionaries for \(peers.count / size) records")
        for (index, peer) in list.enumerated() {
            let record = Array(peers[(index * size)..<((index + 1) * size)])
            guard peer.keys == ["ip", "port"], case .string(let ip)? = peer["ip"], case .integer(let port)? = peer["port"],
                let address = HTTPAddressLiteral(parsing: ip)
            else { return invariant(false, "peer \(index) is not {ip, port}: \(peer)") }
            invariant(port == Int64(record[size - 2]) << 8 | Int64(record[size - 1]), "peer \(index) port \(port)")
            invariant(address == literal(Array(record.dropLast(2))), "peer \(index) ip \(String(decoding: ip, as: UTF8.self))")
        }
    }

    /// The address of a 4- or 16-byte record as `HTTPAddressLiteral` reads its text.
    static func literal(_ bytes: [UInt8]) -> HTTPAddressLiteral {
        if bytes.count == 4 { return .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) }) }
        let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        // An IPv4-mapped address reads as IPv4 (the same peer whichever socket family it used).
        return high == 0 && low >> 32 == 0xFFFF ? .v4(UInt32(truncatingIfNeeded: low)) : .v6(high: high, low: low)
    }

    static func failure(_ input: inout FuzzReader) {
        let message = String(decoding: input.rest(), as: UTF8.self)
        let body = HTTPBencode.failure(message)
        let expected = Bencode.dictionary([Bencode.Entry(key: Array("failure reason".utf8), value: .string(Array(message.utf8)))])
        invariant(Bencode.decode(body) == expected, "failure body does not decode to its message")
    }

    static func scrape(_ input: inout FuzzReader) {
        var entries: [(InfoHash, seeders: UInt32, leechers: UInt32, downloaded: UInt32)] = []
        for _ in 0..<Int(input.byte() % 16) {
            let hash = InfoHash(bytes: input.padded(20))
            // Small counts, often zero: unknown torrents must be left out.
            entries.append((hash, UInt32(input.byte() % 4), UInt32(input.byte() % 4), UInt32(input.byte() % 4)))
        }
        entries.sort { $0.0 < $1.0 }
        var unique: [(InfoHash, seeders: UInt32, leechers: UInt32, downloaded: UInt32)] = []
        for entry in entries where unique.last?.0 != entry.0 { unique.append(entry) }
        let known = unique.filter { $0.seeders != 0 || $0.leechers != 0 || $0.downloaded != 0 }
        let files = known.map { entry in
            Bencode.Entry(key: entry.0.bytes, value: .dictionary([
                Bencode.Entry(key: Array("complete".utf8), value: .integer(Int64(entry.seeders))),
                Bencode.Entry(key: Array("downloaded".utf8), value: .integer(Int64(entry.downloaded))),
                Bencode.Entry(key: Array("incomplete".utf8), value: .integer(Int64(entry.leechers))),
            ]))
        }
        let body = HTTPBencode.scrape(unique)
        invariant(Bencode.decode(body) == .dictionary([Bencode.Entry(key: Array("files".utf8), value: .dictionary(files))]),
                  "scrape body does not decode to its known torrents")
        var full: [UInt8] = []
        HTTPFullScrapeFormat.ben.appendPrefix(to: &full)
        for entry in known {
            HTTPFullScrapeFormat.ben.appendEntry(entry.0, seeders: entry.seeders, leechers: entry.leechers, downloaded: entry.downloaded, to: &full)
        }
        HTTPFullScrapeFormat.ben.appendSuffix(to: &full)
        invariant(full == body, "a ben full scrape of the same torrents differs from the scrape reply")
    }
}
