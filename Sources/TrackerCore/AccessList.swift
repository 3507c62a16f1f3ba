import Synchronization
import TrackerProtocol

/// Which torrents the tracker serves: every one, only those listed, or all but those listed.
/// Chosen at run time (`--whitelist FILE` / `--blacklist FILE`), not at compile time as in opentracker.
public enum AccessMode: String, Sendable, CaseIterable {
    case open
    case whitelist
    case blacklist
}

/// An immutable set of info hashes read from an opentracker-syntax list file.
///
/// Syntax (opentracker `accesslist_readfile`): a line counts if it *starts* with 40 hex digits
/// (either case) followed by a non-hex byte or the end of the line/file; whatever follows is
/// ignored, so `HASH name of the torrent` works. Every other line is ignored. Unlike opentracker,
/// a final line without a newline is read without touching a byte past the end (its 1-byte over-read).
public struct AccessList: Sendable, Equatable {
    /// 40 hex digits encode the 20-byte info_hash.
    static let hexDigits = 40
    /// A list file larger than this is refused before it is read: 512 MiB holds some 13 million
    /// bare hashes (41 bytes a line), more than any public tracker's whitelist.
    public static let maximumFileBytes = 512 << 20

    public private(set) var infoHashes: Set<InfoHash>
    /// Non-blank lines that did not start with an info hash, not counting `#` comment lines:
    /// worth a warning on reload because they usually mean a damaged file.
    public private(set) var ignoredLines: Int

    public static let empty = AccessList(infoHashes: [])

    public init(infoHashes: Set<InfoHash>) {
        self.infoHashes = infoHashes
        self.ignoredLines = 0
    }

    public init(parsing text: String) {
        var hashes = Set<InfoHash>()
        var ignored = 0
        let bytes = Array(text.utf8)
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            // LF, CRLF (an empty line between, skipped as blank) and a lone CR all end a line.
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") && bytes[lineEnd] != UInt8(ascii: "\r") {
                lineEnd += 1
            }
            if let hash = Self.leadingInfoHash(bytes, from: lineStart, to: lineEnd) {
                hashes.insert(hash)
            } else if !Self.isBlankOrComment(bytes, from: lineStart, to: lineEnd) {
                ignored += 1
            }
            lineStart = lineEnd + 1
        }
        self.infoHashes = hashes
        self.ignoredLines = ignored
    }

    public var count: Int { infoHashes.count }
    public var isEmpty: Bool { infoHashes.isEmpty }

    /// The info hash a list line starts with (40 hex digits, then a non-hex byte or the end), as
    /// in the file: what opentracker's FIFO reader accepts too.
    public static func infoHash(inLine line: [UInt8]) -> InfoHash? {
        leadingInfoHash(line, from: 0, to: line.count)
    }

    /// Adds and removes hashes (opentracker's dynamic `fifo_add` / `fifo_delete` changesets),
    /// removals last. Returns how many entries changed.
    @discardableResult
    public mutating func apply(adding: [InfoHash], removing: [InfoHash]) -> Int {
        var changed = 0
        for hash in adding where infoHashes.insert(hash).inserted { changed += 1 }
        for hash in removing where infoHashes.remove(hash) != nil { changed += 1 }
        return changed
    }

    public func contains(_ infoHash: InfoHash) -> Bool {
        infoHashes.contains(infoHash)
    }

    /// Whether `mode` lets an announce or scrape for `infoHash` through this list.
    @inline(__always)
    public func allows(_ infoHash: InfoHash, mode: AccessMode) -> Bool {
        switch mode {
        case .open: true
        case .whitelist: infoHashes.contains(infoHash)
        case .blacklist: !infoHashes.contains(infoHash)
        }
    }

    public static func == (lhs: AccessList, rhs: AccessList) -> Bool {
        lhs.infoHashes == rhs.infoHashes
    }

    private static func leadingInfoHash(_ bytes: [UInt8], from start: Int, to end: Int) -> InfoHash? {
        guard end - start >= hexDigits else { return nil }
        let digitsEnd = start + hexDigits
        if digitsEnd < end && HexDigits.value(of: bytes[digitsEnd]) != nil { return nil }
        return InfoHash(hexDigits: bytes[start..<digitsEnd])
    }

    private static func isBlankOrComment(_ bytes: [UInt8], from start: Int, to end: Int) -> Bool {
        for index in start..<end {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: "#"): return true
            default: return false
            }
        }
        return true
    }
}

/// The current access list, shared by every worker and replaced whole on reload.
///
/// Writers (SIGHUP / file-change reload) swap the list under a mutex and bump `generation`.
/// Workers hold a `Reader` that caches the list; `refresh()` (once per loop turn) costs one atomic
/// load and takes the mutex only when a reload happened, so `allows` never locks. A list is a value
/// built completely before the swap, so no reader ever sees half of one; the old list is freed when
/// the last reader drops it (no use-after-free as in opentracker's timed free, bug 10).
public final class AccessPolicy: Sendable {
    public let mode: AccessMode
    private let current: Mutex<AccessList>
    private let generation = Atomic<UInt64>(0)

    public init(mode: AccessMode, list: AccessList = .empty) {
        self.mode = mode
        self.current = Mutex(list)
    }

    /// Installs `list` for every reader's next `refresh()`.
    public func replace(with list: AccessList) {
        current.withLock { stored in
            stored = list
            generation.add(1, ordering: .releasing)
        }
    }

    /// Applies FIFO changes to the installed list: one copy of the list per batch (readers keep the
    /// old value until their next `refresh()`), so a batch of any size is one swap for readers and
    /// no reader ever sees half of it. The next `replace(with:)` (a reload) starts from the file
    /// again, as opentracker's SIGHUP resets its changesets. Returns how many entries changed.
    @discardableResult
    public func apply(adding: [InfoHash], removing: [InfoHash]) -> Int {
        current.withLock { stored in
            let changed = stored.apply(adding: adding, removing: removing)
            if changed > 0 { generation.add(1, ordering: .releasing) }
            return changed
        }
    }

    /// The list now installed (takes the lock: for reload logging and tests, not the hot path).
    public var list: AccessList { current.withLock { $0 } }

    /// How many times the list has been replaced.
    public var replacements: UInt64 { generation.load(ordering: .acquiring) }

    public func makeReader() -> Reader { Reader(policy: self) }

    /// One per worker; not shared between threads.
    public struct Reader: Sendable {
        public let policy: AccessPolicy
        public let mode: AccessMode
        private var list: AccessList
        private var seenGeneration: UInt64

        init(policy: AccessPolicy) {
            self.policy = policy
            self.mode = policy.mode
            (self.list, self.seenGeneration) = policy.snapshot()
        }

        /// Picks up a replaced list. Call once per loop turn. Returns true if the list changed.
        @discardableResult
        public mutating func refresh() -> Bool {
            guard policy.generation.load(ordering: .acquiring) != seenGeneration else { return false }
            (list, seenGeneration) = policy.snapshot()
            return true
        }

        /// Lock-free: reads the cached list only.
        @inline(__always)
        public func allows(_ infoHash: InfoHash) -> Bool {
            list.allows(infoHash, mode: mode)
        }

        /// The number of hashes in the cached list.
        public var count: Int { list.count }
    }

    private func snapshot() -> (AccessList, UInt64) {
        current.withLock { stored in (stored, generation.load(ordering: .relaxed)) }
    }
}
