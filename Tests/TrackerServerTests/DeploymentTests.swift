import Foundation
import Glibc
import Testing
import TrackerProtocol

/// Runs a program to completion (bounded) and returns its status and combined output.
@discardableResult
func runTool(_ path: String, _ arguments: [String], input: String? = nil, timeout: Double = 120) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Read while it runs, so a large output cannot fill the pipe and stall it.
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    if process.isRunning {
        process.terminate()
        throw TestFailure("\(path) \(arguments) did not finish in \(timeout) s")
    }
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Where a program is on PATH, or nil.
func which(_ name: String) -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

enum Deployment {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func contrib(_ name: String) -> String { root.appendingPathComponent("contrib/\(name)").path }
    /// Built by Tests/run.sh once: `swift build -c release --static-swift-stdlib`.
    static let releaseBinary = ProcessInfo.processInfo.environment["RINGTRACKER_RELEASE_BINARY"]
    /// Built by Tests/run.sh from that binary with contrib/package-deb.
    static let debPackage = ProcessInfo.processInfo.environment["RINGTRACKER_DEB"]
    static let isRoot = geteuid() == 0
    /// The toolchain's `usr` folder (…/usr/bin/swift → …/usr), whose lib/ the debug build loads from.
    static var toolchainUsr: String? {
        guard let swift = which("swift") else { return nil }
        return URL(fileURLWithPath: swift).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().path
    }
}

@Suite("contrib: dashboard, alert rules, systemd unit")
struct ContribFilesTests {
    @Test("The Prometheus alert rules pass promtool check rules", .enabled(if: which("promtool") != nil))
    func alertRules() throws {
        let result = try runTool(which("promtool")!, ["check", "rules", Deployment.contrib("prometheus-alerts.yml")])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS: 6 rules found"))
    }

    @Test("Every series the dashboard and the rules query is one the daemon exposes, and /metrics passes promtool check metrics",
          .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path) && which("promtool") != nil))
    func queriedSeriesExist() throws {
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"])
        let line = try daemon.waitForLine(containing: "listening")
        let http = try #require(line.firstMatch(of: /http=(127\.0\.0\.1:\d+)/).map { String($0.1) })
        _ = try HTTPTestClient(address: http).get("/announce")  // one request in the latency histogram
        let metrics = try HTTPTestClient(address: http).get("/metrics").text
        let exposed = Set(metrics.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            String($0.prefix { $0 != "{" && $0 != " " })
        })

        let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Deployment.contrib("grafana-dashboard.json"))))
        let panels = try #require((dashboard as? [String: Any])?["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 15)
        let rules = try String(contentsOfFile: Deployment.contrib("prometheus-alerts.yml"), encoding: .utf8)
        var queried = Set<String>()
        for text in expressions + [rules] {
            for match in text.matches(of: /\b(?:ringtracker|process)_[a-z_]+/) { queried.insert(String(match.output)) }
        }
        #expect(queried.count >= 15)
        for name in queried.sorted() {
            #expect(exposed.contains(name), "\(name) is queried but not in /metrics")
        }
        let lint = try runTool(which("promtool")!, ["check", "metrics"], input: metrics)
        #expect(lint.status == 0 && lint.output.isEmpty, "\(lint.output)")
    }

    @Test("systemd-analyze verify finds nothing to report in the unit", .enabled(if: which("systemd-analyze") != nil))
    func unitVerifies() throws {
        // verify checks that ExecStart exists: point it at the built binary, as installed it is /usr/bin.
        let unit = try String(contentsOfFile: Deployment.contrib("ringtracker.service"), encoding: .utf8)
        #expect(unit.contains("Type=notify\n") && unit.contains("ExecStart=/usr/bin/ringtracker "))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("ringtracker.service")
        try unit.replacingOccurrences(of: "ExecStart=/usr/bin/ringtracker", with: "ExecStart=/bin/true")
            .write(to: copy, atomically: true, encoding: .utf8)
        let result = try runTool(which("systemd-analyze")!, ["verify", copy.path])
        #expect(result.status == 0 && result.output.isEmpty, "\(result.output)")
    }
}

@Suite("release binary and Debian package", .serialized)
struct ReleaseDeploymentTests {
    @Test("The release binary runs and serves with the Swift toolchain hidden (unshare -m, tmpfs over it)",
          .enabled(if: Deployment.releaseBinary != nil && Deployment.isRoot && Deployment.toolchainUsr != nil))
    func runsWithoutToolchain() throws {
        let binary = try #require(Deployment.releaseBinary)
        let usr = try #require(Deployment.toolchainUsr)
        let ldd = try runTool("/usr/bin/ldd", [binary])
        #expect(!ldd.output.contains(usr) && !ldd.output.contains("not found"), "\(ldd.output)")
        #expect(ldd.output.contains("liburing.so.2"))
        // Inside a private mount namespace the toolchain's usr/ is an empty tmpfs; the daemon is
        // exec'd in place of the shell, so it is the process the test stops.
        let script = #"mount -t tmpfs tmpfs "$1" && test ! -e "$1/bin/swift" && shift && exec "$@""#
        let daemon = try Daemon.Running(
            ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", usr, binary,
             "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"],
            executable: URL(fileURLWithPath: "/usr/bin/unshare"))
        let port = try daemon.waitUntilListening()
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.19")
        #expect(try client.connect() != 0)
        daemon.process.terminate()
        #expect(daemon.waitForExit(timeout: 10) == 0)
        #expect(FileManager.default.fileExists(atPath: "\(usr)/bin/swift"), "the host's toolchain was never touched")
    }

    @Test("The .deb installs, runs --version and --check-config on its conf, verifies its unit, and removes cleanly",
          .enabled(if: Deployment.debPackage != nil && Deployment.isRoot))
    func debInstallsAndRemoves() throws {
        let deb = try #require(Deployment.debPackage)
        let depends = try runTool("/usr/bin/dpkg-deb", ["-f", deb, "Depends"]).output
        #expect(depends.contains("liburing2") && depends.contains("zlib1g") && !depends.lowercased().contains("swift"), "\(depends)")
        // A leftover from an interrupted run would hide what this install does.
        try runTool("/usr/bin/dpkg", ["--purge", "ringtracker"])
        let install = try runTool("/usr/bin/dpkg", ["-i", deb])
        defer { _ = try? runTool("/usr/bin/dpkg", ["--purge", "ringtracker"]) }
        #expect(install.status == 0, "\(install.output)")

        let version = try runTool("/usr/bin/ringtracker", ["--version"])
        #expect(version.status == 0 && version.output == "\(RingTrackerVersion.string)\n")
        let check = try runTool("/usr/bin/ringtracker", ["--check-config", "/etc/ringtracker/ringtracker.conf"])
        #expect(check.status == 0 && check.output.contains("ringtracker.interval 1800"), "\(check.output)")
        #expect(try runTool("/usr/bin/getent", ["passwd", "ringtracker"]).output.contains("/usr/sbin/nologin"))
        for doc in ["README.md", "OPERATIONS.md", "examples/grafana-dashboard.json", "examples/prometheus-alerts.yml"] {
            #expect(FileManager.default.fileExists(atPath: "/usr/share/doc/ringtracker/\(doc)"), "\(doc) installed")
        }
        if let analyze = which("systemd-analyze") {
            let verify = try runTool(analyze, ["verify", "/lib/systemd/system/ringtracker.service"])
            #expect(verify.status == 0 && verify.output.isEmpty, "\(verify.output)")
        }

        let files = try runTool("/usr/bin/dpkg", ["-L", "ringtracker"]).output.split(separator: "\n").map(String.init)
        #expect(files.contains("/usr/bin/ringtracker") && files.contains("/lib/systemd/system/ringtracker.service"))
        let remove = try runTool("/usr/bin/dpkg", ["-r", "ringtracker"])
        #expect(remove.status == 0, "\(remove.output)")
        var isDirectory: ObjCBool = false
        let left = files.filter { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue }
        #expect(left == ["/etc/ringtracker/ringtracker.conf"], "only the conffile stays after dpkg -r")
        let status = try runTool("/usr/bin/dpkg-query", ["-W", "-f=${Status}", "ringtracker"]).output
        #expect(status == "deinstall ok config-files")

        let purge = try runTool("/usr/bin/dpkg", ["--purge", "ringtracker"])
        #expect(purge.status == 0, "\(purge.output)")
        #expect(!FileManager.default.fileExists(atPath: "/etc/ringtracker/ringtracker.conf"))
        #expect(try runTool("/usr/bin/getent", ["passwd", "ringtracker"]).status != 0, "purge removes the system user")
    }
}
