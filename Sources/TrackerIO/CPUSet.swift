#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

/// Why a CPU list was rejected.
public struct CPUSetParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public let input: String
    public let reason: String
    public var description: String { "invalid CPU list \"\(input)\": \(reason)" }
}

/// CPU lists in the kernel's cpulist format ("0", "0,2", "0-3", "0-1,3") and thread pinning.
public enum CPUSet {
    /// Highest CPU number accepted: glibc's fixed cpu_set_t holds CPU_SETSIZE (1024) CPUs.
    public static let maximumCPU = Int(CLiburingShim_CPU_SETSIZE) - 1

    /// CPUs this process may run on (sched_getaffinity), else /sys/devices/system/cpu/online,
    /// else 0..<online count. Never empty.
    public static func online() -> [Int] {
        var set = cpu_set_t()
        if CLiburingShim_sched_getaffinity(&set) == 0 {
            let cpus = (0...maximumCPU).filter { CLiburingShim_cpu_isset(Int32($0), &set) != 0 }
            if !cpus.isEmpty { return cpus }
        }
        if let text = BoundedFile.systemText(of: "/sys/devices/system/cpu/online"),
           let cpus = try? parse(text.trimmingWhitespace()), !cpus.isEmpty {
            return cpus
        }
        return Array(0..<max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Parses a cpulist into sorted, unique CPU numbers.
    public static func parse(_ list: String) throws -> [Int] {
        func fail(_ reason: String) -> CPUSetParseError { CPUSetParseError(input: list, reason: reason) }
        func number(_ text: Substring) throws -> Int {
            guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(text)
            else { throw fail("\"\(text)\" is not a CPU number") }
            guard value <= maximumCPU else { throw fail("CPU \(value) is above \(maximumCPU)") }
            return value
        }
        guard !list.isEmpty else { throw fail("empty list") }
        var cpus = Set<Int>()
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty item between commas") }
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            switch bounds.count {
            case 1:
                cpus.insert(try number(bounds[0]))
            case 2:
                let low = try number(bounds[0]), high = try number(bounds[1])
                guard low <= high else { throw fail("range \(item) runs backwards") }
                cpus.formUnion(low...high)
            default:
                throw fail("\"\(item)\" is not N or N-M")
            }
        }
        return cpus.sorted()
    }

    /// Pins the calling thread to one CPU (sched_setaffinity).
    public static func pinCurrentThread(to cpu: Int) throws(SystemError) {
        guard (0...maximumCPU).contains(cpu) else { throw SystemError(errno: EINVAL, call: "sched_setaffinity") }
        _ = try systemCallValue("sched_setaffinity") { CLiburingShim_pin_current_thread(Int32(cpu)) }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
