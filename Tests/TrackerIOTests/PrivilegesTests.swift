#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

// The drop itself (setuid) cannot be undone inside a test process, and forking a Swift test
// process is unsafe; the real drop is covered by an end-to-end test that starts the daemon as root.
@Suite("Privileges")
struct PrivilegesTests {
    @Test("Looking up root finds uid 0 and gid 0")
    func root() throws {
        let user = try Privileges.lookUp(user: "root")
        #expect(user.uid == 0)
        #expect(user.gid == 0)
    }

    @Test("The nobody user exists and is not root")
    func nobody() throws {
        let user = try Privileges.lookUp(user: "nobody")
        #expect(user.uid != 0)
    }

    @Test("An unknown user is an error naming the user")
    func unknownUser() {
        #expect {
            try Privileges.lookUp(user: "no-such-ringtracker-user")
        } throws: { error in
            "\(error)".contains("no-such-ringtracker-user")
        }
    }

    @Test("Dropping to root is refused, whoever runs the test")
    func refusesRoot() {
        #expect(throws: SystemError.self) { try Privileges.drop(toUser: "root", chroot: nil) }
        #expect(geteuid() == getuid())
    }

    @Test("Dropping privileges without being root fails and changes nothing", .enabled(if: !Privileges.isRoot))
    func notRoot() {
        let before = getuid()
        #expect(throws: SystemError.self) { try Privileges.drop(toUser: "nobody", chroot: nil) }
        #expect(getuid() == before)
    }
}

@Suite("File watcher")
struct FileWatcherTests {
    private func temporaryDirectory() throws -> String {
        var template = Array("/tmp/ringtracker-watch-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { storage in
            storage.baseAddress.flatMap { mkdtemp($0) }
        }
        try #require(made != nil)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func write(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    @Test("Rewriting and renaming over the file are reported; other files in the directory are not")
    func changes() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/whitelist"
        write("one\n", to: path)
        let watcher = try FileWatcher(path: path)
        #expect(!watcher.pollChanged(timeoutMilliseconds: 0))

        write("two\n", to: path)
        #expect(watcher.pollChanged(timeoutMilliseconds: 1000))
        #expect(!watcher.pollChanged(timeoutMilliseconds: 0), "events drained")

        write("other\n", to: directory + "/unrelated")
        #expect(!watcher.pollChanged(timeoutMilliseconds: 50))

        write("three\n", to: directory + "/whitelist.new")
        _ = watcher.pollChanged(timeoutMilliseconds: 0)
        #expect(rename(directory + "/whitelist.new", path) == 0)
        #expect(watcher.pollChanged(timeoutMilliseconds: 1000))
        #expect(try BoundedFile.text(of: path, limit: .max) == "three\n")

        unlink(path)
        unlink(directory + "/unrelated")
        rmdir(directory)
    }

    @Test("Reading a missing file is an error naming it")
    func missingFile() {
        #expect {
            try BoundedFile.text(of: "/nonexistent/ringtracker-list", limit: .max)
        } throws: { error in
            "\(error)".contains("/nonexistent/ringtracker-list")
        }
    }
}
