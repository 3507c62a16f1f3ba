#if canImport(Glibc)
import Glibc
#endif

/// The standard Prometheus process metrics, read from /proc/self (swift-metrics 2.13 ships no
/// SystemMetrics, and what it would do is these few reads). Every field is nil when /proc is not
/// there (a `--chroot` without /proc inside it): the metrics page then leaves it out.
public struct ProcessStatus: Sendable, Equatable {
    public var cpuSeconds: Double?
    public var residentBytes: UInt64?
    public var virtualBytes: UInt64?
    public var startTimeSeconds: Double?
    public var openDescriptors: Int?
    public var maxDescriptors: UInt64?
    /// The smaller of the cgroup's memory limit (systemd's MemoryMax=) and the machine's memory.
    public var memoryLimitBytes: UInt64?
    /// Inodes of the process's sockets (from the /proc/self/fd links), for `UDPSocketTable`.
    public var socketInodes: Set<UInt64> = []

    public init() {}

    /// Resident bytes alone (one read of /proc/self/stat, for the cleaner's heap trims).
    public static func residentBytes() -> UInt64? {
        guard let stat = BoundedFile.systemText(of: "/proc/self/stat"), let fields = parseStat(stat) else { return nil }
        return fields.residentPages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }

    public static func read() -> ProcessStatus {
        var status = ProcessStatus()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = BoundedFile.systemText(of: "/proc/self/stat"), let fields = parseStat(stat), ticks > 0 {
            status.cpuSeconds = Double(fields.userTicks + fields.systemTicks) / ticks
            status.residentBytes = fields.residentPages * page
            status.virtualBytes = fields.virtualBytes
            if let system = BoundedFile.systemText(of: "/proc/stat"), let boot = bootTime(system) {
                status.startTimeSeconds = Double(boot) + Double(fields.startTicks) / ticks
            }
        }
        if let (count, sockets) = descriptors() {
            status.openDescriptors = count
            status.socketInodes = sockets
        }
        status.memoryLimitBytes = memoryLimit()
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 { status.maxDescriptors = UInt64(limit.rlim_cur) }
        return status
    }

    /// proc(5) /proc/pid/stat: the fields after the parenthesised command name (which may hold
    /// spaces and parentheses itself, hence the last ")"). utime 14, stime 15, starttime 22,
    /// vsize 23, rss 24 (1-based, as proc(5) numbers them).
    public static func parseStat(_ text: String) -> (userTicks: UInt64, systemTicks: UInt64, startTicks: UInt64, virtualBytes: UInt64, residentPages: UInt64)? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state).
        func field(_ number: Int) -> UInt64? { fields.count > number - 3 ? UInt64(fields[number - 3]) : nil }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        return (user, system, start, virtual, resident)
    }

    /// proc(5) /proc/stat: "btime SECONDS", the boot time since the epoch.
    public static func bootTime(_ text: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return UInt64(line.dropFirst(6).trimmingPrefix(" "))
        }
        return nil
    }

    /// cgroup v2 `memory.max` ("max" = none) or v1 `memory.limit_in_bytes` (a huge number = none),
    /// capped by MemTotal from /proc/meminfo.
    static func memoryLimit() -> UInt64? {
        var total: UInt64?
        if let meminfo = BoundedFile.systemText(of: "/proc/meminfo") {
            for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
                total = line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) }.map { $0 * 1024 }
            }
        }
        var cgroup: UInt64?
        if let membership = BoundedFile.systemText(of: "/proc/self/cgroup") {
            cgroup = cgroupLimit(membership) { BoundedFile.systemText(of: $0) }
        }
        switch (total, cgroup) {
        case let (total?, cgroup?): return min(total, cgroup)
        case let (total, cgroup): return total ?? cgroup
        }
    }

    /// The memory limit file for this process's cgroup, from /proc/self/cgroup lines
    /// "0::/PATH" (v2) or "N:memory:/PATH" (v1); nil when none is set or readable.
    public static func cgroupLimit(_ membership: String, read: (String) -> String?) -> UInt64? {
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let path = parts[2] == "/" ? "" : String(parts[2])
            let file: String
            if parts[0] == "0" && parts[1].isEmpty {
                file = "/sys/fs/cgroup\(path)/memory.max"
            } else if parts[1].split(separator: ",").contains("memory") {
                file = "/sys/fs/cgroup/memory\(path)/memory.limit_in_bytes"
            } else {
                continue
            }
            if let text = read(file), let value = UInt64(text.trimmingPrefix(" ").split(separator: "\n").first ?? "") {
                return value
            }
        }
        return nil
    }

    /// Counts /proc/self/fd (less the directory's own descriptor) and collects socket inodes from
    /// the "socket:[INODE]" links.
    static func descriptors() -> (Int, Set<UInt64>)? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var count = 0
        var sockets: Set<UInt64> = []
        var target = [CChar](repeating: 0, count: 64)
        while let entry = readdir(directory) {
            // SAFETY: d_name is a NUL-terminated name inside the dirent readdir returned.
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != own else { continue }
            count += 1
            let length = target.withUnsafeMutableBufferPointer { readlink("/proc/self/fd/\(name)", $0.baseAddress!, $0.count - 1) }
            guard length > 8 else { continue }
            let link = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if link.hasPrefix("socket:["), link.hasSuffix("]"), let inode = UInt64(link.dropFirst(8).dropLast()) {
                sockets.insert(inode)
            }
        }
        return (count, sockets)
    }
}
