import Foundation
import Glibc
import Testing
import TrackerIO
@testable import TrackerServer

/// opentracker's command line, `tracker.rootdir` semantics and the start-up checks
/// `--check-config` shares with the daemon (opentracker.c `parse_configfile` and `main`).
@Suite("opentracker command line")
struct OpentrackerArgumentsTests {
    @Test("Each opentracker flag becomes the RingTracker flag with its meaning")
    func everyFlag() throws {
        let translated = try OpentrackerArguments.translate([
            "-f", "/etc/opentracker/opentracker.conf", "-i", "127.0.0.1", "-p", "6969", "-P", "6970",
            "-A", "10.0.0.0/8", "-r", "https://example.org/", "-d", "/var/lib/ot", "-u", "tracker",
            "-w", "/etc/white", "-l", "/var/lib/ot/dump", "-s", "9696",
        ])
        #expect(translated == [
            "--config", "/etc/opentracker/opentracker.conf", "--http", "127.0.0.1:6969", "--udp", "127.0.0.1:6970",
            "--stats-allow", "10.0.0.0/8", "--trusted-proxy", "10.0.0.0/8", "--redirect-url", "https://example.org/",
            "--rootdir", "/var/lib/ot", "--user", "tracker", "--whitelist", "/etc/white",
            "--import-statedump", "/var/lib/ot/dump", "--livesync-listen", "127.0.0.1:9696",
        ])
        #expect(try OpentrackerArguments.translate(["-b", "/etc/black"]) == ["--blacklist", "/etc/black"])
        #expect(try OpentrackerArguments.translate(["-v"]) == ["--version"])
        #expect(try OpentrackerArguments.translate(["-h"]) == ["--help"])
    }

    @Test("-i applies to the ports after it; without -i a port opens on every IPv4 and IPv6 address")
    func addressOrder() throws {
        #expect(try OpentrackerArguments.translate(["-p", "80", "-i", "::1", "-P6969"]) == [
            "--http", "0.0.0.0:80", "--http", "[::]:80", "--udp", "[::1]:6969",
        ])
    }

    @Test("Long flags and their values pass through untouched, even a value that looks like a short flag")
    func longFlagsPassThrough() throws {
        let arguments = ["--config", "-f", "--no-pin", "-p", "1", "--interval=900", "--user", "-u"]
        #expect(try OpentrackerArguments.translate(arguments) == [
            "--config", "-f", "--no-pin", "--http", "0.0.0.0:1", "--http", "[::]:1", "--interval=900", "--user", "-u",
        ])
    }

    @Test("An opentracker flag after any of the daemon's valueless flags is still translated")
    func flagsWithoutValue() throws {
        // Found by Tests/fuzz (config target): `--cluster-insecure -s 9696` kept -s as if it were
        // the flag's value, and the daemon then refused the untranslated -s as unknown.
        for flag in ["--no-pin", "--metrics-public", "--cluster-insecure"] {
            #expect(try OpentrackerArguments.translate([flag, "-s", "9696"]) == [flag, "--livesync-listen", "0.0.0.0:9696"])
        }
    }

    @Test("Bad opentracker flags are one-line errors")
    func errors() {
        let cases: [([String], String)] = [
            (["-x"], "unknown option '-x'"),
            (["-p", "70000"], "-p: '70000' is not a port number"),
            (["-i", "example.org"], "-i: 'example.org' is not an IPv4 or IPv6 address"),
            (["-w"], "-w: missing value"),
        ]
        for (arguments, message) in cases {
            do {
                _ = try OpentrackerArguments.translate(arguments)
                Issue.record("\(arguments) accepted")
            } catch {
                #expect(error.description.hasPrefix(message), "\(arguments) → \(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}

@Suite("tracker.rootdir")
struct RootDirectoryTests {
    @Test("Not root: chdir only, so absolute paths are read as written and relative ones inside the directory")
    func notRoot() {
        let root = RootDirectory("/etc/opentracker", asRoot: false, startDirectory: "/home/op")
        #expect(root.chroot == nil)
        #expect(root.workingDirectory == "/etc/opentracker")
        #expect(root.pathBeforeDrop("/etc/opentracker/whitelist.txt") == "/etc/opentracker/whitelist.txt")
        #expect(root.pathBeforeDrop("whitelist.txt") == "/etc/opentracker/whitelist.txt")
        let none = RootDirectory(nil, asRoot: false, startDirectory: "/home/op")
        #expect(none.pathBeforeDrop("list") == "/home/op/list")
        #expect(RootDirectory("ot", asRoot: false, startDirectory: "/srv").workingDirectory == "/srv/ot")
    }

    @Test("Root: chroot, so every path is inside the directory")
    func root() {
        let root = RootDirectory("/srv/ot", asRoot: true, startDirectory: "/root")
        #expect(root.chroot == "/srv/ot")
        #expect(root.workingDirectory == nil)
        #expect(root.pathAfterDrop("whitelist") == "/whitelist")
        #expect(root.pathBeforeDrop("whitelist") == "/srv/ot/whitelist")
        #expect(root.pathBeforeDrop("/etc/white") == "/srv/ot/etc/white")
        #expect(RootDirectory(nil, asRoot: true, startDirectory: "/root").pathBeforeDrop("list") == "/list",
                "opentracker chdirs to / as root")
    }

    @Test("Debian's stock opentracker.conf resolves its whitelist where Debian's unit (User=_opentracker) reads it")
    func debianStockConfiguration() throws {
        // The three directives of /etc/opentracker/opentracker.conf in Debian's package.
        let text = """
            access.whitelist /etc/opentracker/whitelist.txt
            tracker.rootdir /etc/opentracker
            tracker.user    _opentracker
            """
        let settings = try ConfigurationFile(parsing: text, fileName: "opentracker.conf").settings
        let configuration = try ServerConfiguration(settings: settings, asRoot: false, startDirectory: "/")
        #expect(configuration.chroot == nil)
        #expect(configuration.workingDirectory == "/etc/opentracker")
        #expect(configuration.pathBeforeDrop(try #require(configuration.accessListPath)) == "/etc/opentracker/whitelist.txt")
    }

    @Test("As root a root directory without a user to drop to is refused, not ignored")
    func chrootNeedsUser() throws {
        var settings = DaemonSettings()
        try settings.apply(.chroot, "/srv/ot")
        #expect(throws: StartupError.self) { try ServerConfiguration(settings: settings, asRoot: true, startDirectory: "/") }
        #expect(throws: Never.self) { try ServerConfiguration(settings: settings, asRoot: false, startDirectory: "/") }
    }
}

@Suite("Start-up checks shared with --check-config")
struct PreflightTests {
    private func configuration(_ lines: [(SettingKey, String)], asRoot: Bool = false) throws -> ServerConfiguration {
        var settings = DaemonSettings()
        try settings.apply(.udp, "127.0.0.1:0")
        for (key, value) in lines { try settings.apply(key, value) }
        return try ServerConfiguration(settings: settings, asRoot: asRoot, startDirectory: "/")
    }

    private func failure(_ configuration: ServerConfiguration, asRoot: Bool = false) -> String? {
        do {
            _ = try configuration.preflight(asRoot: asRoot)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("A CPU that is not online is an error, not a warning at start")
    func offlineCPU() throws {
        #expect(failure(try configuration([(.cpus, "1000")]))?.hasPrefix("cpus: CPU 1000 is not online") == true)
        #expect(failure(try configuration([(.cpus, "0")])) == nil)
    }

    @Test("A missing access list, root directory or state directory is found without starting")
    func missingFiles() throws {
        let list = try TemporaryList([])
        #expect(failure(try configuration([(.whitelist, "/nonexistent/white")]))?.hasPrefix("whitelist /nonexistent/white") == true)
        #expect(failure(try configuration([(.whitelist, list.file.path)])) == nil)
        #expect(failure(try configuration([(.chroot, "/nonexistent/root")])) == "rootdir /nonexistent/root: no such directory")
        #expect(failure(try configuration([(.chroot, list.directory.path), (.whitelist, "whitelist.txt")])) == nil,
                "a relative list path is read inside the root directory")
        #expect(failure(try configuration([(.stateFile, "/nonexistent/dir/state")]))?.hasPrefix("state-file") == true)
        #expect(failure(try configuration([(.importStatedump, "/nonexistent/dump")]))?.hasPrefix("import-statedump") == true)
    }

    @Test("An unknown user is an error as root and a warning otherwise")
    func unknownUser() throws {
        let configuration = try configuration([(.user, "no-such-user-rt9")])
        #expect(failure(configuration, asRoot: true)?.hasPrefix("user no-such-user-rt9") == true)
        #expect(try configuration.preflight(asRoot: false).count == 1)
    }
}

@Suite("opentracker drop-in, daemon", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct OpentrackerDropInDaemonTests {
    @Test("Debian's stock opentracker.conf starts under its unit's user with the unit's -f line")
    func debianUnitLine() throws {
        let list = try TemporaryList([hash(60)])
        chmod(list.directory.path, 0o755)
        chmod(list.file.path, 0o644)
        let config = list.directory.appendingPathComponent("opentracker.conf")
        // Debian's file with its paths moved into the test directory.
        try """
            access.whitelist \(list.file.path)
            tracker.rootdir \(list.directory.path)
            tracker.user    nobody
            """.write(to: config, atomically: true, encoding: .utf8)
        chmod(config.path, 0o644)
        // Debian's unit runs the tracker as its user (User=_opentracker): not root.
        let wrapper = geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] : []
        let daemon = try Daemon.Running(
            ["-f", config.path, "-i", "127.0.0.1", "-P", "0", "--cpus", "0", "--io-backend", "mmsg"], wrapper: wrapper)
        let port = try daemon.waitUntilListening()
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.60")
        try client.connect()
        #expect(try client.announce(hash(60), port: 60, left: 0).seeders == 1, "the whitelist was read")
        let cwd = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(daemon.process.processIdentifier)/cwd")
        #expect(cwd == list.directory.path, "chdir to tracker.rootdir, as opentracker does when not root")
    }

    @Test("An unknown flag is one line and exit status 1")
    func unknownFlag() throws {
        for arguments in [["--bogus"], ["-x"], ["--interval"]] {
            let daemon = try Daemon.Running(arguments)
            #expect(daemon.waitForExit(timeout: 10) == 1, "\(arguments)")
            let lines = daemon.output.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("ringtracker: "), "\(arguments): \(daemon.output)")
        }
    }

    @Test("--check-config refuses what start would refuse: a missing whitelist and an offline CPU")
    func checkConfigRunsStartChecks() throws {
        let list = try TemporaryList([])
        let config = list.directory.appendingPathComponent("ot.conf")
        try "access.whitelist \(list.directory.path)/missing.txt\n".write(to: config, atomically: true, encoding: .utf8)
        let missing = try Daemon.Running(["--check-config", config.path])
        #expect(missing.waitForExit(timeout: 10) == 1)
        #expect(missing.output.hasPrefix("ringtracker: whitelist \(list.directory.path)/missing.txt"))
        let cpu = try Daemon.Running(["--check-config", "/dev/null", "--cpus", "1000"])
        #expect(cpu.waitForExit(timeout: 10) == 1)
        #expect(cpu.output.contains("CPU 1000 is not online"))
    }

    @Test("A TCP port in use is reported like a UDP one, without library internals")
    func tcpBindInUse() throws {
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) } }
        #expect(bound == 0)
        #expect(listen(holder, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--http", "127.0.0.1:\(port)", "--cpus", "0", "--io-backend", "mmsg"])
        #expect(daemon.waitForExit(timeout: 10) == 1)
        #expect(daemon.output == "ringtracker: bind tcp 127.0.0.1:\(port): bind: Address already in use\n")
    }
}
