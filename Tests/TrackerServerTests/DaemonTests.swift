import Foundation
import Testing

/// Runs the real `ringtracker` binary. Built by `swift test` with the tests; RINGTRACKER_BINARY
/// overrides the path (e.g. a release build).
enum Daemon {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["RINGTRACKER_BINARY"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ringtracker")
    }

    final class Running {
        let process = Process()
        let log: URL

        /// `environment`: added to this process's environment (e.g. NOTIFY_SOCKET, JOURNAL_STREAM).
        /// `logIdentity`: called with the log file's path before start, to derive variables from it.
        /// `executable`: another program that ends by exec'ing the daemon (e.g. `unshare`).
        /// `asUser`: run as that user through setpriv(1) (the test must be root).
        /// `descriptorLimit`: RLIMIT_NOFILE for the daemon, through prlimit(1).
        /// `wrapper` (e.g. `setpriv --reuid=nobody …`) runs the daemon binary with `arguments`.
        init(
            _ arguments: [String], environment: [String: String] = [:],
            logIdentity: ((String) -> [String: String])? = nil, executable: URL = Daemon.binary,
            asUser user: String? = nil, descriptorLimit: Int? = nil, wrapper: [String] = []
        ) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("ringtracker-\(UUID().uuidString).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            if let program = wrapper.first {
                process.executableURL = URL(fileURLWithPath: program)
                process.arguments = wrapper.dropFirst() + [executable.path] + arguments
            } else if let user {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
                process.arguments = ["--reuid=\(user)", "--regid=nogroup", "--clear-groups", executable.path] + arguments
            } else if let descriptorLimit {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
                process.arguments = ["--nofile=\(descriptorLimit):\(descriptorLimit)", "--", executable.path] + arguments
            } else {
                process.executableURL = executable
                process.arguments = arguments
            }
            var variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            if let logIdentity { variables.merge(logIdentity(log.path)) { $1 } }
            process.environment = variables
            let handle = try FileHandle(forWritingTo: log)
            process.standardError = handle
            process.standardOutput = handle
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate(); process.waitUntilExit() }
            try? FileManager.default.removeItem(at: log)
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits (bounded) for the "listening" log line and returns the first UDP port it names.
        func waitUntilListening(timeout: Double = 10) throws -> UInt16 {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline, process.isRunning {
                for line in output.split(separator: "\n") where line.contains("listening") {
                    guard let range = line.range(of: #"udp=\S+:(\d+)"#, options: .regularExpression) else { continue }
                    let token = line[range]
                    if let port = UInt16(token.split(separator: ":").last ?? "") { return port }
                }
                usleep(20_000)
            }
            throw TestFailure("daemon did not report listening: \(output)")
        }

        /// Waits (bounded) for the "listening" log line and returns the first HTTP listener it names.
        func waitUntilHTTPListening(timeout: Double = 10) throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline, process.isRunning {
                for line in output.split(separator: "\n") where line.contains("listening") {
                    guard let range = line.range(of: #"http=[0-9.]+:\d+"#, options: .regularExpression) else { continue }
                    return String(line[range].dropFirst(5))
                }
                usleep(20_000)
            }
            throw TestFailure("daemon did not report an HTTP listener: \(output)")
        }

        /// Waits (bounded) for a log line containing `text` and returns it.
        func waitForLine(containing text: String, timeout: Double = 10) throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let line = output.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
                usleep(20_000)
            }
            throw TestFailure("no log line with \(text): \(output)")
        }

        /// Waits (bounded) for exit and returns the status.
        func waitForExit(timeout: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            return process.isRunning ? nil : process.terminationStatus
        }
    }
}

@Suite("ringtracker daemon", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct DaemonTests {
    @Test("A second instance on the same address fails to bind with one clear line", arguments: WorkerLayout.allCases)
    func secondInstanceFails(layout: WorkerLayout) throws {
        let first = try Daemon.Running(["--udp", "127.0.0.1:0", "--io-backend", "mmsg"] + layout.daemonArguments)
        let port = try first.waitUntilListening()
        let second = try Daemon.Running(["--udp", "127.0.0.1:\(port)"] + layout.daemonArguments)
        let status = second.waitForExit(timeout: 10)
        #expect(status == 1)
        #expect(second.output.contains("ringtracker: bind udp 127.0.0.1:\(port): "))
        #expect(second.output.contains("in use"))
        #expect(first.process.isRunning, "the first instance keeps serving")
    }

    @Test("SIGTERM stops the daemon cleanly within a second", arguments: WorkerLayout.allCases)
    func sigtermStopsQuickly(layout: WorkerLayout) throws {
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--udp", "[::1]:0"] + layout.daemonArguments)
        let port = try daemon.waitUntilListening()
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.10")
        #expect(try client.connect() != 0)
        let start = Date()
        daemon.process.terminate()
        let status = daemon.waitForExit(timeout: 5)
        #expect(status == 0)
        #expect(Date().timeIntervalSince(start) < 1.0)
    }

    @Test("A receive buffer capped by net.core.rmem_max is warned about once, and only then")
    func receiveBufferCapWarnedOnce() throws {
        // Without root SO_RCVBUF is clamped to rmem_max; as root SO_RCVBUFFORCE gets the full 8 MiB.
        // Run as nobody when the test is root, so the cap applies either way.
        let rmemMax = Int(try String(contentsOfFile: "/proc/sys/net/core/rmem_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let arguments = ["--udp", "127.0.0.1:0", "--udp", "[::1]:0", "--io-backend", "mmsg"]
        let daemon = try getuid() == 0
            ? Daemon.Running(arguments, asUser: "nobody")
            : Daemon.Running(arguments)
        _ = try daemon.waitUntilListening()
        let warnings = daemon.output.split(separator: "\n").filter { $0.contains("net.core.rmem_max") }
        #expect(warnings.count == (rmemMax < 8 << 20 ? 1 : 0), "rmem_max \(rmemMax): \(daemon.output)")

        if getuid() == 0 {
            let root = try Daemon.Running(arguments)
            _ = try root.waitUntilListening()
            #expect(!root.output.contains("net.core.rmem_max"), "root forces the buffer: \(root.output)")
        }
    }

    @Test("A bad flag value exits non-zero with a message")
    func badFlag() throws {
        let daemon = try Daemon.Running(["--cpus", "zero-ish"])
        #expect(daemon.waitForExit(timeout: 10) != 0)
        #expect(daemon.output.contains("cpus"))
    }

    @Test("An unparsable listener address is refused with context")
    func badListener() throws {
        let daemon = try Daemon.Running(["--udp", "not-an-address", "--cpus", "0"])
        #expect(daemon.waitForExit(timeout: 10) == 1)
        #expect(daemon.output.contains("ringtracker: --udp: 'not-an-address' is not an address"))
    }
}
