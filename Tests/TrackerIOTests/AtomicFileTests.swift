#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

func makeTemporaryDirectory(_ label: String) throws -> String {
    var template = Array("/tmp/ringtracker-\(label)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { storage in
        storage.baseAddress.flatMap { mkdtemp($0) }
    }
    try #require(made != nil)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func directoryEntries(_ directory: String) -> Set<String> {
    guard let stream = opendir(directory) else { return [] }
    defer { closedir(stream) }
    var names: Set<String> = []
    while let entry = readdir(stream) {
        let name = withUnsafePointer(to: &entry.pointee.d_name) { field in
            field.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.insert(name) }
    }
    return names
}

/// A process id that certainly exited: a child that quits at once, reaped.
func deadProcessID() -> Int32 {
    let child = fork()
    if child == 0 { _exit(0) }
    var status: Int32 = 0
    _ = waitpid(child, &status, 0)
    return child
}

@Suite("Atomic state files")
struct AtomicFileTests {
    @Test("Blocks are written in order, readable back, mode 0600, with no temporary left behind")
    func roundTrip() throws {
        let directory = try makeTemporaryDirectory("atomic")
        let path = directory + "/state"
        let blocks: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 7, count: 100_000), [9]]
        #expect(try AtomicFile.write(blocks, to: path) == 100_004)
        #expect(try BoundedFile.bytes(of: path, limit: .max) == blocks.flatMap { $0 })
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(directoryEntries(directory) == ["state"])
        // Replacing keeps exactly one file with the new content.
        _ = try AtomicFile.write([[4, 5]], to: path)
        #expect(try BoundedFile.bytes(of: path, limit: .max) == [4, 5])
        #expect(directoryEntries(directory) == ["state"])
    }

    @Test("A piecewise writer appends, overwrites its reserved header, and leaves the old file until commit")
    func piecewise() throws {
        let directory = try makeTemporaryDirectory("atomic")
        let path = directory + "/state"
        _ = try AtomicFile.write([[0xEE]], to: path)
        do {
            let file = try AtomicFile.Writer(replacing: path)
            try file.append([0, 0, 0])
            try file.append(Array(repeating: 7, count: 70_000))
            try file.overwrite([1, 2, 3], at: 0)
            #expect(file.size == 70_003)
            // Until the commit, readers see the old file.
            #expect(try BoundedFile.bytes(of: path, limit: .max) == [0xEE])
            #expect(try file.commit() == 70_003)
        }
        #expect(try BoundedFile.bytes(of: path, limit: .max) == [1, 2, 3] + Array(repeating: 7, count: 70_000))
        #expect(directoryEntries(directory) == ["state"])
        // Dropped without a commit (a failed snapshot): the temporary goes, the file stays.
        do {
            let file = try AtomicFile.Writer(replacing: path)
            try file.append([9, 9])
            #expect(directoryEntries(directory).count == 2)
        }
        #expect(directoryEntries(directory) == ["state"])
        #expect(try BoundedFile.bytes(of: path, limit: .max).count == 70_003)
    }

    @Test("Writing into a missing directory fails with a SystemError and creates nothing")
    func missingDirectory() throws {
        let directory = try makeTemporaryDirectory("atomic")
        #expect(throws: SystemError.self) { try AtomicFile.write([[1]], to: directory + "/no/state") }
        #expect(directoryEntries(directory).isEmpty)
    }

    @Test("Moving a bad file aside keeps its bytes under a new name and never reuses a name")
    func moveAside() throws {
        let directory = try makeTemporaryDirectory("atomic")
        let path = directory + "/state"
        _ = try AtomicFile.write([[0xBA, 0xD0]], to: path)
        let first = try #require(AtomicFile.moveAside(path))
        #expect(first.hasPrefix(path + ".corrupt-"))
        #expect(try BoundedFile.bytes(of: first, limit: .max) == [0xBA, 0xD0])
        _ = try AtomicFile.write([[0xBA, 0xD1]], to: path)
        let second = try #require(AtomicFile.moveAside(path))
        #expect(second != first)
        #expect(try BoundedFile.bytes(of: first, limit: .max) == [0xBA, 0xD0])
        #expect(try BoundedFile.bytes(of: second, limit: .max) == [0xBA, 0xD1])
        #expect(AtomicFile.moveAside(path) == nil)
    }

    @Test("Only temporaries of exited writers are removed as stale")
    func staleTemporaries() throws {
        let directory = try makeTemporaryDirectory("atomic")
        let path = directory + "/state"
        let dead = deadProcessID()
        for name in ["state", "state.tmp-\(dead)", "state.tmp-\(getpid())", "state.tmp-1", "state.tmp-x", "other.tmp-\(dead)"] {
            _ = try AtomicFile.write([[1]], to: directory + "/" + name)
        }
        #expect(AtomicFile.removeStaleTemporaries(of: path) == ["\(path).tmp-\(dead)"])
        // pid 1 is alive (init), our own pid is alive, "x" is not a pid, "other" is another file.
        #expect(directoryEntries(directory) == ["state", "state.tmp-\(getpid())", "state.tmp-1", "state.tmp-x", "other.tmp-\(dead)"])
    }
}
