import FuzzSupport
import TrackerCore
import TrackerProtocol

/// A whitelist or blacklist file in opentracker's syntax (`AccessList(parsing:)`), its lines as
/// FIFO changes (`AccessList.infoHash(inLine:)`, `apply`), and the list in a policy.
///
/// Checked against a reference reading of the documented syntax (a line counts when it starts with
/// 40 hex digits followed by a non-hex byte or its end): the same hashes, the same count of ignored
/// lines; the list written back as one hash per line reads back identical with nothing ignored;
/// the FIFO reader accepts exactly the lines the file reader does; applying the lines as FIFO
/// changes reports the real number of changes; whitelist and blacklist policies answer opposite.
enum AccessListFuzz {
    static func run(_ bytes: [UInt8]) {
        // Files are read as text (invalid UTF-8 becomes U+FFFD), then parsed as bytes.
        let text = String(decoding: bytes, as: UTF8.self)
        let list = AccessList(parsing: text)
        let lines = FuzzText.lines(Array(text.utf8))
        var expected = Set<InfoHash>()
        var ignored = 0
        for line in lines {
            if let hash = reference(line) {
                expected.insert(hash)
            } else if !isBlankOrComment(line) {
                ignored += 1
            }
            invariant(AccessList.infoHash(inLine: Array(line)) == reference(line), "the FIFO reader and the file reader disagree on a line")
        }
        invariant(list.infoHashes == expected, "\(list.count) hashes read, the syntax gives \(expected.count)")
        invariant(list.ignoredLines == ignored, "\(list.ignoredLines) lines ignored, the syntax gives \(ignored)")

        // Every other line with a name and a CR after the hash, as files from Windows have.
        let written = list.infoHashes.enumerated().map { $1.hex + ($0 % 2 == 0 ? " name\r" : "") }.joined(separator: "\n")
        let reread = AccessList(parsing: written)
        invariant(reread == list && reread.ignoredLines == 0, "the list written back reads differently")

        var changed = AccessList.empty
        let hashes = lines.compactMap { AccessList.infoHash(inLine: Array($0)) }
        let additions = changed.apply(adding: hashes, removing: [])
        invariant(additions == expected.count && changed == list, "FIFO additions: \(additions) changes for \(expected.count) hashes")
        let removals = changed.apply(adding: [], removing: hashes)
        invariant(removals == expected.count && changed.isEmpty, "FIFO removals: \(removals) changes for \(expected.count) hashes")

        let whitelist = AccessPolicy(mode: .whitelist, list: list).makeReader()
        let blacklist = AccessPolicy(mode: .blacklist, list: list).makeReader()
        for hash in expected.prefix(8) + [InfoHash(bytes: [UInt8](repeating: 0xEE, count: 20))] {
            invariant(whitelist.allows(hash) == list.contains(hash) && blacklist.allows(hash) != list.contains(hash),
                      "whitelist and blacklist disagree on \(hash)")
        }
    }

    /// 40 hex digits at the start of the line, then a non-hex byte or the end.
    static func reference(_ line: ArraySlice<UInt8>) -> InfoHash? {
        guard line.count >= 40 else { return nil }
        let digits = line.prefix(40)
        guard digits.allSatisfy(FuzzText.isHex), line.dropFirst(40).first.map({ !FuzzText.isHex($0) }) ?? true else { return nil }
        return InfoHash(hex: String(decoding: digits, as: UTF8.self))
    }

    static func isBlankOrComment(_ line: ArraySlice<UInt8>) -> Bool {
        let content = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        return content.isEmpty || content.first == UInt8(ascii: "#")
    }
}
