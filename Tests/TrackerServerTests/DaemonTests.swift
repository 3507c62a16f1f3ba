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

        /// `wrapper` (e.g. `setpriv --reuid=nobody …`) runs the daemon binary with `arguments`.
        init(_ arguments: [String], wrapper: [String] = []) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("ringtracker-\(UUID().uuidString).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            if let executable = wrapper.first {
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = wrapper.dropFirst() + [Daemon.binary.path] + arguments
            } else {
                process.executableURL = Daemon.binary
                process.arguments = arguments
            }
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
    @Test("A second instance on the same address fails to bind with one clear line")
    func secondInstanceFails() throws {
        let first = try Daemon.Running(["--udp", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"])
        let port = try first.waitUntilListening()
        let second = try Daemon.Running(["--udp", "127.0.0.1:\(port)", "--cpus", "0"])
        let status = second.waitForExit(timeout: 10)
        #expect(status == 1)
        #expect(second.output.contains("ringtracker: bind udp 127.0.0.1:\(port): "))
        #expect(second.output.contains("in use"))
        #expect(first.process.isRunning, "the first instance keeps serving")
    }

    @Test("SIGTERM stops the daemon cleanly within a second")
    func sigtermStopsQuickly() throws {
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--udp", "[::1]:0", "--cpus", "0,0"])
        let port = try daemon.waitUntilListening()
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.10")
        #expect(try client.connect() != 0)
        let start = Date()
        daemon.process.terminate()
        let status = daemon.waitForExit(timeout: 5)
        #expect(status == 0)
        #expect(Date().timeIntervalSince(start) < 1.0)
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
