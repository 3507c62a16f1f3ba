import Glibc
import TrackerCore
import TrackerIO

extension ServerConfiguration {
    /// A file named in the configuration (absolute, as seen after the chroot) as it can be opened
    /// now, before any chroot.
    public func pathBeforeDrop(_ path: String) -> String {
        chroot.map { RootDirectory.join($0, path) } ?? path
    }

    /// Every check start-up makes that needs no socket: `--check-config` runs exactly this, and the
    /// daemon runs it before binding, so a file the check approves does not fail at start for a
    /// reason the check could have seen. Returns warnings; throws the first failure.
    ///
    /// Checked: CPUs online, listener addresses parse, the io_uring backend when it is required,
    /// the user exists (root), the root directory exists, the access list and an imported statedump
    /// are readable where they will be read (inside the chroot for root) and the list has a valid
    /// line, the state file's directory exists.
    public func preflight(asRoot: Bool = Privileges.isRoot) throws(StartupError) -> [String] {
        var warnings: [String] = []
        let online = Set(CPUSet.online())
        if let missing = cpus.first(where: { !online.contains($0) }) {
            throw StartupError("cpus: CPU \(missing) is not online (online: \(online.sorted().map(String.init).joined(separator: ",")))")
        }
        for listener in udpListeners {
            do { _ = try SocketAddress(parsing: listener) } catch { throw StartupError("udp listener \(listener): \(error)") }
        }
        for listener in http.listeners {
            do { _ = try SocketAddress(parsing: listener) } catch { throw StartupError("http listener \(listener): \(error)") }
        }
        if backend == .ioUring, case .failure(let failure) = IOProbe.ioUring() {
            throw StartupError("io_uring backend requested but unavailable: \(failure)")
        }
        if let user {
            do { _ = try Privileges.lookUp(user: user) } catch {
                guard !asRoot else { throw StartupError("user \(user): \(error)") }
                warnings.append("user \(user): \(error) (ignored: not started as root)")
            }
        }
        for directory in [chroot, workingDirectory].compactMap({ $0 }) {
            guard Self.isDirectory(directory) else { throw StartupError("rootdir \(directory): no such directory") }
        }
        if accessMode != .open, let path = accessListPath {
            if case .failure(let reason) = TrackerService.readAccessList(pathBeforeDrop(path)) {
                throw StartupError("\(accessMode) \(pathBeforeDrop(path)): \(reason)")
            }
        }
        if let path = importStatedump {
            do { _ = try BoundedFile(opening: pathBeforeDrop(path), limit: TrackerService.statedumpMaximumBytes) } catch {
                throw StartupError("import-statedump \(pathBeforeDrop(path)): \(error)")
            }
        }
        for path in [fifoAdd, fifoDelete].compactMap({ $0 }) {
            let readable = pathBeforeDrop(path)
            var info = stat()
            if stat(readable, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFIFO else { throw StartupError("fifo \(readable): exists and is not a FIFO") }
            } else if !Self.isDirectory(Self.directory(of: readable)) {
                throw StartupError("fifo \(readable): directory \(Self.directory(of: readable)) does not exist")
            }
        }
        if let path = stateFile {
            let readable = pathBeforeDrop(path)
            let directory = Self.directory(of: readable)
            guard Self.isDirectory(directory) else {
                throw StartupError("state-file \(readable): directory \(directory) does not exist")
            }
        }
        return warnings
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
