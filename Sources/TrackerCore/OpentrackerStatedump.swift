import TrackerProtocol

/// opentracker's statedump (`/stats?mode=statedump`, read back with `-l FILE`; `load_state()` in
/// opentracker.c): one `HEX40:base_minutes:downloaded` line per torrent, where `base_minutes` is the
/// torrent's last activity on opentracker's minute clock (Unix time / 60). Lines of any other
/// shape are ignored, as opentracker ignores them; hex may be either case.
public struct OpentrackerStatedump: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var infoHash: InfoHash
        public var baseMinutes: UInt64
        public var downloaded: UInt64

        public init(infoHash: InfoHash, baseMinutes: UInt64, downloaded: UInt64) {
            self.infoHash = infoHash
            self.baseMinutes = baseMinutes
            self.downloaded = downloaded
        }

        /// The torrent's last activity in Unix seconds, never later than `now` (a dump from a
        /// machine whose clock ran ahead must not keep torrents alive longer).
        public func lastActivity(now: UInt32) -> UInt32 {
            UInt32(clamping: min(baseMinutes.multipliedReportingOverflow(by: 60).partialValue, UInt64(now)))
        }
    }

    public private(set) var entries: [Entry] = []
    /// Non-empty lines that were not `HEX40:number:number`.
    public private(set) var ignoredLines = 0

    public init(parsing text: String) {
        // LF, CRLF and a lone CR all end a line.
        for line in Array(text.utf8).split(omittingEmptySubsequences: true, whereSeparator: { $0 == 10 || $0 == 13 }) {
            if let entry = Self.entry(line) { entries.append(entry) } else if !line.isEmpty { ignoredLines += 1 }
        }
    }

    static func entry(_ line: ArraySlice<UInt8>) -> Entry? {
        let fields = line.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 40,
            let hash = InfoHash(hex: String(decoding: fields[0], as: UTF8.self)),
            let base = number(fields[1]), let downloaded = number(fields[2])
        else { return nil }
        return Entry(infoHash: hash, baseMinutes: base, downloaded: downloaded)
    }

    /// Decimal digits only, at most 20 of them (a UInt64).
    static func number(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(String(decoding: digits, as: UTF8.self))
    }
}
