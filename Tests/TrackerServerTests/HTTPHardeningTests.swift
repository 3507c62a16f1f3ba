import Foundation
import Glibc
import Testing

/// What a hostile client does to the HTTP front, against the real binary where process limits matter.
@Suite("HTTP front under hostile clients", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct HTTPHardeningTests {
    /// CPU seconds (user + system) the process has used, from /proc/PID/stat (fields 14 and 15).
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name (field 2) may hold spaces; fields are counted after its closing ')'.
        guard let close = text.lastIndex(of: ")") else { throw TestFailure("bad /proc stat") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("bad /proc stat fields")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("Out of descriptors, the accept loop pauses instead of spinning, and serves again once some close")
    func acceptDoesNotSpinWhenDescriptorsRunOut() throws {
        // 64 descriptors: a few for the daemon itself, the rest go to held connections quickly.
        let daemon = try Daemon.Running(
            ["--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"],
            descriptorLimit: 64)
        let address = try daemon.waitUntilHTTPListening()
        var held: [HTTPTestClient] = []
        for _ in 0..<100 { held.append(try HTTPTestClient(address: address, timeoutSeconds: 1)) }
        // Let the listener hit EMFILE, then measure one second of the daemon's CPU.
        usleep(300_000)
        let before = try Self.cpuSeconds(daemon.process.processIdentifier)
        usleep(1_000_000)
        let used = try Self.cpuSeconds(daemon.process.processIdentifier) - before
        #expect(used < 0.2, "the daemon used \(used) s of CPU in 1 s while out of descriptors")
        // Free the descriptors: a new client is served within a few backoffs.
        held.removeAll()
        var status = 0
        for _ in 0..<30 where status != 200 {
            status = (try? HTTPTestClient(address: address, timeoutSeconds: 1).get("/stats").status) ?? 0
            if status != 200 { usleep(100_000) }
        }
        #expect(status == 200)
        #expect(daemon.process.isRunning)
    }
}
