import Glibc

/// opentracker's `tracker.rootdir` / `-d` (`drop_privileges()` in opentracker.c): started as root
/// the tracker `chroot`s there (then `chdir("/")`); otherwise it only `chdir`s there. Files named in
/// the configuration (access list, statedump, state file) are opened after that step, so a relative
/// path is relative to the root directory and, for root, an absolute one is inside the chroot.
///
/// Debian's stock opentracker.conf relies on the non-root case: its unit runs as `_opentracker`,
/// `tracker.rootdir /etc/opentracker` and `access.whitelist /etc/opentracker/whitelist.txt` — the
/// absolute list path is read as written.
public struct RootDirectory: Sendable, Equatable {
    /// Absolute directory, or nil when none was configured.
    public let directory: String?
    /// Whether the process runs as root (then `directory` is a chroot).
    public let asRoot: Bool
    /// The directory the process was started in, for relative paths without a root directory.
    public let startDirectory: String

    public init(_ directory: String?, asRoot: Bool, startDirectory: String) {
        self.directory = directory.map { Self.absolute($0, in: startDirectory) }
        self.asRoot = asRoot
        self.startDirectory = startDirectory
    }

    /// The directory to chroot into (root only).
    public var chroot: String? { asRoot ? directory : nil }
    /// The directory to chdir into (not root).
    public var workingDirectory: String? { asRoot ? nil : directory }

    /// `path` as the tracker opens it once the chroot or chdir is done: absolute, and inside the
    /// chroot for root. Root always ends in "/" (opentracker chdirs there), so relative paths
    /// start at the (chroot's) root.
    public func pathAfterDrop(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if asRoot { return "/" + path }
        return Self.join(directory ?? startDirectory, path)
    }

    /// `path` as it can be opened now, before the chroot: inside `directory` for root.
    public func pathBeforeDrop(_ path: String) -> String {
        let after = pathAfterDrop(path)
        return chroot.map { Self.join($0, after) } ?? after
    }

    /// The process's working directory ("/" if it cannot be read, e.g. deleted under us).
    public static func currentDirectory() -> String {
        // SAFETY: getcwd(NULL, 0) returns a malloc'd NUL-terminated string (glibc), freed here.
        guard let pointer = unsafe getcwd(nil, 0) else { return "/" }
        defer { unsafe free(pointer) }
        return unsafe String(cString: pointer)
    }

    static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : join(directory, path)
    }

    static func join(_ root: String, _ path: String) -> String {
        root.hasSuffix("/") ? root + path.drop { $0 == "/" } : root + "/" + path.drop { $0 == "/" }
    }
}
