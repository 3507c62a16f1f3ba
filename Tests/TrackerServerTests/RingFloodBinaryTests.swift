import Foundation
import Glibc
import Testing
import TrackerIO
import TrackerProtocol

/// The built `ringflood` next to the daemon.
private let ringflood = Daemon.binary.deletingLastPathComponent().appendingPathComponent("ringflood").path

/// A tiny closed-loop run: 10 peers, one socket, well under a second measured.
private func shortRun(_ target: String) -> [String] {
    ["--target", target, "--torrents", "10", "--peers", "10", "--sockets", "1", "--sources", "1", "--window", "4",
     "--duration", "0.3", "--warmup", "0", "--warmup-limit", "1", "--timeout-ms", "50"]
}

@Suite("ringflood binary", .enabled(if: FileManager.default.isExecutableFile(atPath: ringflood)
    && FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct RingFloodBinaryTests {
    @Test("ringflood --version prints the project version")
    func version() throws {
        let result = try runTool(ringflood, ["--version"])
        #expect(result.status == 0 && result.output == "\(RingTrackerVersion.string)\n")
    }

    @Test("A target that never answers ends ringflood with exit status 3; a live tracker with 0")
    func silentTarget() throws {
        // Bound, so no ICMP error comes back either: the requests simply vanish.
        let silent = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        let port = try silent.localAddress().port
        let dead = try runTool(ringflood, shortRun("127.0.0.1:\(port)"), timeout: 30)
        #expect(dead.status == 3, "\(dead.output)")
        #expect(dead.output.contains("never answered"))

        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"])
        let live = try runTool(ringflood, shortRun("127.0.0.1:\(try daemon.waitUntilListening())"), timeout: 30)
        #expect(live.status == 0, "\(live.output)")
    }
}
