import Logging
import TrackerCore
import TrackerIO

/// `--import-statedump FILE` (opentracker's `-l`): a migrating operator keeps every torrent's
/// `downloaded` count. Run at start after the access list is loaded, so hashes the list refuses are
/// skipped (as opentracker's `add_torrent_from_saved_state` skips them); torrents already loaded
/// from `--state-file` keep their own counts.
extension TrackerService {
    /// statedump lines are about 60 bytes: 1 GiB holds some 17M torrents, more than any tracker reported.
    static let statedumpMaximumBytes = 1 << 30

    func importStatedumpAtStart() throws(StartupError) {
        guard let path = configuration.importStatedump else { return }
        let readable = configuration.pathBeforeDrop(path)
        let text: String
        do { text = try BoundedFile.text(of: readable, limit: Self.statedumpMaximumBytes) } catch {
            throw StartupError("import-statedump \(readable): \(error)")
        }
        let dump = OpentrackerStatedump(parsing: text)
        let now = WallClock.seconds()
        let reader = access.makeReader()
        var imported = 0
        var refused = 0
        for entry in dump.entries {
            guard reader.allows(entry.infoHash) else {
                refused += 1
                continue
            }
            if store.importTorrent(
                entry.infoHash, downloaded: UInt32(clamping: entry.downloaded), lastActivity: entry.lastActivity(now: now))
            {
                imported += 1
            }
        }
        logger.info(
            "statedump imported",
            metadata: ["file": "\(readable)", "torrents": "\(imported)", "refused_by_access_list": "\(refused)",
                       "already_present": "\(dump.entries.count - imported - refused)", "ignored_lines": "\(dump.ignoredLines)"])
    }
}
