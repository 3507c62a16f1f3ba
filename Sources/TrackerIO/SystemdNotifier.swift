#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) without libsystemd: datagrams to the AF_UNIX socket named by `$NOTIFY_SOCKET`
/// (a path, or `@name` for the abstract namespace). With `Type=notify` systemd counts the service
/// started only on `READY=1`, so `systemctl start` returns once every socket is really bound.
///
/// The socket is connected once, at start-up, before any chroot or privilege drop: a chrooted
/// daemon could no longer reach `/run/systemd/notify` by path. Without `$NOTIFY_SOCKET` (not under
/// systemd, or `Type=simple`) every call does nothing.
public final class SystemdNotifier: Sendable {
    private let fd: Int32?

    /// `socketPath`: the value of `NOTIFY_SOCKET`; nil or empty means not under systemd.
    public init(socketPath: String?) throws(SystemError) {
        guard let socketPath, !socketPath.isEmpty else {
            fd = nil
            return
        }
        fd = try Self.connect(socketPath)
    }

    deinit {
        if let fd { close(fd) }
    }

    public static func environmentSocket() -> String? {
        getenv("NOTIFY_SOCKET").map { String(cString: $0) }
    }

    public var isActive: Bool { fd != nil }

    /// `READY=1` and a human-readable `STATUS=` line.
    public func ready(status: String) throws(SystemError) { try send("READY=1\nSTATUS=\(status)\n") }

    /// `RELOADING=1` plus `MONOTONIC_USEC=`: systemd 253+ matches the reload to its `ExecReload`
    /// by that timestamp; older ones ignore the field.
    public func reloading() throws(SystemError) {
        let microseconds = MonotonicClock.nanoseconds() / 1000
        try send("RELOADING=1\nMONOTONIC_USEC=\(microseconds)\n")
    }

    public func stopping() throws(SystemError) { try send("STOPPING=1\n") }

    /// Sends `message` as one datagram. No socket configured: nothing happens.
    public func send(_ message: String) throws(SystemError) {
        guard let fd else { return }
        let bytes = Array(message.utf8)
        _ = try systemCallValue("send(NOTIFY_SOCKET)") {
            // SAFETY: `bytes` outlives the call and the count is its own.
            bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    private static func connect(_ socketPath: String) throws(SystemError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        // "@name" is the abstract namespace: a leading NUL byte, and the length counts no terminator.
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity, path.first == UInt8(ascii: "/") || abstract else {
            throw SystemError(errno: EINVAL, call: "NOTIFY_SOCKET '\(socketPath)'")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            // SAFETY: path.count < capacity == raw.count, checked above; the rest stays zero.
            raw.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let fd = try systemCallValue("socket(AF_UNIX)") {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            _ = try withUnsafePointer(to: address) { (pointer) throws(SystemError) -> Int32 in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (socketAddress) throws(SystemError) -> Int32 in
                    // SAFETY: `socketAddress` is a whole sockaddr_un and `length` ≤ its size.
                    try systemCallValue("connect(NOTIFY_SOCKET)") { Glibc.connect(fd, socketAddress, length) }
                }
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }
}
