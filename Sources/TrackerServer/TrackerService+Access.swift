import Glibc
import Logging
import TrackerCore
import TrackerIO

/// Access lists (whitelist / blacklist) and privilege drop: what happens between binding the
/// sockets and starting the workers, and reloads afterwards.
extension TrackerService {
    /// A missing or unreadable list at start is fatal: opentracker silently denies everything
    /// (whitelist) or allows everything (blacklist), which an operator only notices from clients.
    func loadAccessListAtStart() throws(StartupError) {
        guard configuration.accessMode != .open, let path = configuration.accessListPath else { return }
        let readPath = configuration.pathBeforeDrop(path)
        setAccessListReadPath(readPath)
        switch Self.readAccessList(readPath) {
        case .success(let list):
            access.replace(with: list)
            logger.info(
                "access list loaded",
                metadata: ["mode": "\(configuration.accessMode)", "file": "\(readPath)", "hashes": "\(list.count)",
                           "ignored_lines": "\(list.ignoredLines)"])
        case .failure(let reason):
            throw StartupError("\(configuration.accessMode) \(readPath): \(reason)")
        }
        try accessFIFOs.open(
            add: configuration.fifoAdd.map(configuration.pathBeforeDrop),
            delete: configuration.fifoDelete.map(configuration.pathBeforeDrop))
    }

    /// Re-reads the list (SIGHUP or the file was replaced). A list that cannot be read, or a
    /// non-empty file without a single valid line, keeps the old list.
    @discardableResult
    public func reloadAccessList(trigger: String) -> Bool {
        guard configuration.accessMode != .open, let path = accessListReadPath else { return false }
        switch Self.readAccessList(path) {
        case .success(let list):
            access.replace(with: list)
            reloadFailures.reset()
            logger.notice(
                "access list reloaded",
                metadata: ["trigger": "\(trigger)", "hashes": "\(list.count)", "ignored_lines": "\(list.ignoredLines)"])
            return true
        case .failure(let reason):
            if let suppressed = reloadFailures.admit(now: WallClock.seconds()) {
                logger.error("access list reload failed; keeping the old list",
                             metadata: ["trigger": "\(trigger)", "file": "\(path)", "error": "\(reason)",
                                        "suppressed_repeats": "\(suppressed)"])
            }
            return false
        }
    }

    /// Reads and parses a list file; `--check-config` runs the same check.
    static func readAccessList(_ path: String) -> Result<AccessList, StartupError> {
        let text: String
        do { text = try BoundedFile.text(of: path, limit: AccessList.maximumFileBytes) } catch {
            return .failure(StartupError("\(error)"))
        }
        let list = AccessList(parsing: text)
        if list.isEmpty, list.ignoredLines > 0 {
            return .failure(StartupError("no line starts with a 40-hex-digit info hash (\(list.ignoredLines) lines ignored)"))
        }
        return .success(list)
    }

    /// A thread that reloads the list when its file is replaced or rewritten (inotify) and applies
    /// lines written to the dynamic-list FIFOs, if any (both waited on together, up to 200 ms a
    /// turn, so a change is live as soon as the thread has read it).
    func makeAccessListWatcher() throws -> WorkerThread? {
        guard configuration.accessMode != .open, let path = accessListReadPath else { return nil }
        let watcher = try FileWatcher(path: path)
        let fifos = accessFIFOs.isOpen
        return try WorkerThread(name: "access-watch") { [self] in
            while !isStopRequested {
                if watcher.pollChanged(timeoutMilliseconds: fifos ? 0 : 200) { reloadAccessList(trigger: "file changed") }
                guard fifos else { continue }
                let (added, removed, ignored) = accessFIFOs.drain(into: access, timeoutMilliseconds: 200)
                if added + removed + ignored > 0 {
                    logger.debug("access list changed through FIFO",
                                 metadata: ["added": "\(added)", "removed": "\(removed)", "ignored_lines": "\(ignored)"])
                }
            }
        }
    }

    /// Root with `--user`: drop (after an optional chroot) once every socket is bound and before
    /// any worker runs. Root without `--user`: one warning.
    func dropPrivilegesIfAsked() throws(StartupError) {
        if let directory = configuration.workingDirectory {
            // opentracker's tracker.rootdir when not root: chdir only (every path was made absolute).
            guard chdir(directory) == 0 else {
                throw StartupError("rootdir \(directory): \(SystemError(errno: errno, call: "chdir"))")
            }
        }
        guard Privileges.isRoot else { return }
        guard let user = configuration.user else {
            logger.warning("running as root; pass --user to drop privileges after binding")
            return
        }
        do {
            let dropped = try Privileges.drop(toUser: user, chroot: configuration.chroot)
            if configuration.chroot != nil, let path = configuration.accessListPath { setAccessListReadPath(path) }
            logger.info("dropped privileges", metadata: ["user": "\(dropped.name)", "uid": "\(dropped.uid)"])
        } catch {
            throw StartupError("drop privileges to \(user): \(error)")
        }
    }
}
