import Foundation
import Glibc
import Testing

/// Three `ringtracker` daemons in network namespaces the helper creates (and always deletes), synced
/// over IPv4 multicast, IPv6 multicast and unicast; see Tests/cluster/netns_cluster.py for every check.
/// Needs root for `ip netns` (CI runs as root); on a non-root machine the suite is skipped with that reason.
@Suite(
    "Cluster of three daemons in network namespaces",
    .enabled(if: geteuid() == 0, "needs root to create network namespaces (ip netns); CI runs it as root"),
    .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path), "ringtracker binary not built"))
struct ClusterNamespaceTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("cluster/netns_cluster.py").path
    }

    @Test("Three nodes stay in sync over IPv4 multicast, IPv6 multicast and unicast; bad packets are dropped and counted")
    func threeNodes() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, Daemon.binary.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The helper bounds itself at 150 s (and cleans up); this is the outer bound.
        let deadline = Date().addingTimeInterval(180)
        var text = Data()
        while process.isRunning, Date() < deadline {
            text.append(output.fileHandleForReading.availableData)
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        text.append(output.fileHandleForReading.readDataToEndOfFile())
        let log = String(decoding: text, as: UTF8.self)
        #expect(process.terminationStatus == 0, "netns cluster test failed:\n\(log)")
        #expect(log.contains("ok    every namespace this test created is gone"), "\(log)")
        #expect(!log.contains("FAIL"), "\(log)")
    }
}
