#if canImport(Glibc)
import Glibc
#endif

/// Dropping root after the sockets are bound (opentracker's `tracker.user` / `tracker.rootdir`).
public enum Privileges {
    /// A passwd entry.
    public struct User: Equatable, Sendable {
        public let name: String
        public let uid: uid_t
        public let gid: gid_t
    }

    /// Effective user is root: the tracker can bind low ports and must drop afterwards.
    public static var isRoot: Bool { geteuid() == 0 }

    /// getpwnam_r, retried with a larger buffer on ERANGE.
    public static func lookUp(user name: String) throws(SystemError) -> User {
        guard !name.isEmpty else { throw SystemError(errno: 0, call: "user name is empty") }
        var capacity = max(Int(sysconf(Int32(_SC_GETPW_R_SIZE_MAX))), 1024)
        while true {
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>? = nil
            var buffer = [CChar](repeating: 0, count: capacity)
            // SAFETY: `buffer` outlives the call and `capacity` is its length; `entry`'s string
            // fields point into it, but only uid/gid are read, before it goes away.
            let result = buffer.withUnsafeMutableBufferPointer { storage -> Int32 in
                guard let base = storage.baseAddress else { return EINVAL }
                return getpwnam_r(name, &entry, base, capacity, &found)
            }
            if result == ERANGE && capacity < 1 << 20 {
                capacity *= 4
                continue
            }
            if result != 0 { throw SystemError(errno: result, call: "getpwnam_r(\(name))") }
            guard found != nil else { throw SystemError(errno: 0, call: "user '\(name)' does not exist") }
            return User(name: name, uid: entry.pw_uid, gid: entry.pw_gid)
        }
    }

    /// Must run as root, after every socket is bound and files that need root are open, and before
    /// any worker thread starts (setuid applies to the calling thread's credentials in the kernel;
    /// glibc broadcasts it to other threads, but starting workers afterwards leaves no doubt).
    ///
    /// Order: look up the user (needs /etc/passwd, so before chroot), chroot + chdir("/") if asked,
    /// setgroups([gid]) (drops root's supplementary groups; must precede setgid/setuid),
    /// setgid, setuid; then verify real/effective ids and that setuid(0) now fails.
    /// Refuses a target user with uid 0: that would be no drop at all.
    @discardableResult
    public static func drop(toUser name: String, chroot directory: String?) throws(SystemError) -> User {
        let user = try lookUp(user: name)
        guard user.uid != 0 else { throw SystemError(errno: 0, call: "user '\(name)' is root (uid 0); choose an unprivileged user") }
        guard isRoot else { throw SystemError(errno: EPERM, call: "drop privileges to '\(name)': not running as root") }
        if let directory {
            guard Glibc.chroot(directory) == 0 else { throw SystemError(errno: Glibc.errno, call: "chroot(\(directory))") }
            guard chdir("/") == 0 else { throw SystemError(errno: Glibc.errno, call: "chdir(/) in \(directory)") }
        }
        var groups = [user.gid]
        // SAFETY: one gid_t, count 1, valid for the duration of the call.
        guard groups.withUnsafeMutableBufferPointer({ setgroups(1, $0.baseAddress) }) == 0 else {
            throw SystemError(errno: Glibc.errno, call: "setgroups([\(user.gid)])")
        }
        guard setgid(user.gid) == 0 else { throw SystemError(errno: Glibc.errno, call: "setgid(\(user.gid))") }
        guard setuid(user.uid) == 0 else { throw SystemError(errno: Glibc.errno, call: "setuid(\(user.uid))") }
        try verify(user)
        return user
    }

    /// Checks that every id now belongs to `user` and that root cannot be regained.
    static func verify(_ user: User) throws(SystemError) {
        guard getuid() == user.uid, geteuid() == user.uid else {
            throw SystemError(errno: 0, call: "privilege drop: uid is \(getuid())/\(geteuid()), expected \(user.uid)")
        }
        guard getgid() == user.gid, getegid() == user.gid else {
            throw SystemError(errno: 0, call: "privilege drop: gid is \(getgid())/\(getegid()), expected \(user.gid)")
        }
        if setuid(0) == 0 {
            throw SystemError(errno: 0, call: "privilege drop: setuid(0) succeeded afterwards; root was not dropped")
        }
    }
}
