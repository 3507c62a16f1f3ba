import Synchronization
import TrackerCore
import TrackerIO
import TrackerProtocol

/// opentracker 1.0's dynamic access lists (`access.fifo_add`, `access.fifo_delete`): each line
/// written to the add FIFO puts its info hash on the whitelist (or blacklist), each line written to
/// the delete FIFO takes it off, without rewriting the list file. Changes last until the list is
/// reloaded (SIGHUP or the file changing), which starts from the file again, as opentracker's
/// SIGHUP resets its changesets.
///
/// Both FIFOs are opened at start, before any chroot or privilege drop, and read by the
/// access-list watcher thread. Every batch of lines read is applied as one list swap
/// (`AccessPolicy.apply`): workers keep reading their cached list lock-free and pick up the new
/// one at their next loop turn, so no reader sees half a batch.
final class AccessFIFOs: Sendable {
    /// Well inside the one second a change may take to apply.
    static let gatherTime = Duration.milliseconds(100)
    static let gatherLines = 1 << 20
    private let readers = Mutex<(add: FIFOReader?, delete: FIFOReader?)>((nil, nil))

    var isOpen: Bool { readers.withLock { $0.add != nil || $0.delete != nil } }

    func open(add: String?, delete: String?) throws(StartupError) {
        func reader(_ path: String?) throws(StartupError) -> FIFOReader? {
            guard let path else { return nil }
            do { return try FIFOReader(path: path) } catch { throw StartupError("fifo \(path): \(error)") }
        }
        let opened = (add: try reader(add), delete: try reader(delete))
        readers.withLock { $0 = opened }
    }

    /// Waits up to `timeoutMilliseconds` for either FIFO and applies what arrived. Returns the
    /// hashes read from each (lines that do not start with an info hash are skipped, as opentracker does).
    func drain(into access: AccessPolicy, timeoutMilliseconds: Int32) -> (added: Int, removed: Int, ignored: Int) {
        let (add, delete) = readers.withLock { ($0.add, $0.delete) }
        guard FIFOReader.wait(for: [add, delete].compactMap { $0 }, timeoutMilliseconds: timeoutMilliseconds) else {
            return (0, 0, 0)
        }
        var ignored = 0
        func hashes(_ reader: FIFOReader?) -> [InfoHash] {
            guard let reader else { return [] }
            let lines = reader.readLines(timeoutMilliseconds: 0)
            let parsed = lines.compactMap { AccessList.infoHash(inLine: $0) }
            ignored += lines.count - parsed.count
            return parsed
        }
        // A tool piping many lines arrives in pipe-sized pieces: gather them for up to
        // `gatherTime` (or `gatherLines`) so a big change is a few list swaps, not thousands.
        var added: [InfoHash] = []
        var removed: [InfoHash] = []
        let started = ContinuousClock.now
        repeat {
            added += hashes(add)
            removed += hashes(delete)
        } while added.count + removed.count < Self.gatherLines
            && ContinuousClock.now - started < Self.gatherTime
            && FIFOReader.wait(for: [add, delete].compactMap { $0 }, timeoutMilliseconds: 5)
        if !added.isEmpty { access.apply(adding: added, removing: []) }
        if !removed.isEmpty { access.apply(adding: [], removing: removed) }
        return (added.count, removed.count, ignored)
    }
}
