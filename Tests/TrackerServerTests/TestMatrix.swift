import Foundation
import Testing
import TrackerIO
import TrackerServer

/// What the end-to-end suites need from the machine. A missing prerequisite fails the suite unless
/// `RINGTRACKER_ALLOW_SKIP` names it (comma-separated: `io_uring`, `libtorrent`, `aria2`, or `all`);
/// a waived suite is reported as skipped, never as passed.
enum Prerequisite: String, CaseIterable, Sendable {
    case ioUring = "io_uring"
    case libtorrent
    case aria2

    static let waived: Set<String> = {
        let text = ProcessInfo.processInfo.environment["RINGTRACKER_ALLOW_SKIP"] ?? ""
        return Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }()

    var isWaived: Bool { Self.waived.contains(rawValue) || Self.waived.contains("all") }

    var isAvailable: Bool {
        switch self {
        case .ioUring: IOProbe.isIOUringAvailable
        case .libtorrent: Libtorrent.available
        case .aria2: FileManager.default.isExecutableFile(atPath: "/usr/bin/aria2c")
        }
    }

    /// Run the suite unless the prerequisite is missing *and* waived.
    var shouldRun: Bool { isAvailable || !isWaived }

    var hint: String {
        switch self {
        case .ioUring: "io_uring is unavailable here (kernel.io_uring_disabled, seccomp?)"
        case .libtorrent: "python3-libtorrent is not installed (apt-get install python3-libtorrent)"
        case .aria2: "aria2c is not installed (apt-get install aria2)"
        }
    }
}

/// Backends every end-to-end test runs on: mmsg always, io_uring unless it is missing and waived
/// (missing and not waived, the io_uring runs fail at start with the probe's reason).
let availableBackends: [ServerConfiguration.BackendChoice] = {
    if Prerequisite.ioUring.isAvailable || !Prerequisite.ioUring.isWaived { return [.mmsg, .ioUring] }
    print("SKIPPED: io_uring end-to-end runs (\(Prerequisite.ioUring.hint); waived by RINGTRACKER_ALLOW_SKIP)")
    return [.mmsg]
}()

/// Worker layouts every end-to-end suite runs with: one worker, and what users get by default
/// (one pinned worker per online CPU).
enum WorkerLayout: String, CaseIterable, CustomStringConvertible, Sendable {
    case one
    case defaults

    /// `nil` lets `ServerConfiguration` choose, exactly as the daemon does without `--cpus`.
    var cpus: [Int]? { self == .one ? [0] : nil }
    var pinned: Bool { self == .defaults }
    var description: String { self == .one ? "1 worker" : "default workers (\(CPUSet.online().count))" }
    /// The daemon's flags for this layout: `--cpus 0`, or none (one worker per online CPU).
    var daemonArguments: [String] { self == .one ? ["--cpus", "0"] : [] }
}

@Suite("Prerequisites of the end-to-end suites")
struct PrerequisiteTests {
    @Test("Every prerequisite is present, or its suites are explicitly waived", arguments: Prerequisite.allCases)
    func prerequisitePresent(_ prerequisite: Prerequisite) throws {
        if !prerequisite.isAvailable, prerequisite.isWaived {
            print("SKIPPED: \(prerequisite.rawValue) suites (\(prerequisite.hint); waived by RINGTRACKER_ALLOW_SKIP)")
            withKnownIssue("\(prerequisite.rawValue) waived by RINGTRACKER_ALLOW_SKIP") {
                Issue.record("\(prerequisite.hint)")
            }
            return
        }
        #expect(prerequisite.isAvailable, "\(prerequisite.hint); set RINGTRACKER_ALLOW_SKIP=\(prerequisite.rawValue) to waive")
    }
}
