#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import TrackerIO

@Suite("CPUSet and WorkerThread")
struct CPUSetTests {
    @Test("CPU lists in kernel cpulist syntax parse to sorted unique CPUs", arguments: [
        ("0", [0]), ("0,2", [0, 2]), ("0-3", [0, 1, 2, 3]), ("0-1,3", [0, 1, 3]), ("3,1,1", [1, 3]), ("5-5", [5]),
    ])
    func parses(_ text: String, _ expected: [Int]) throws {
        #expect(try CPUSet.parse(text) == expected)
    }

    @Test("Malformed CPU lists are rejected with a message",
          arguments: ["", "a", "1-", "-1", "3-1", "0,,1", "1-2-3", "99999", " 1", "0,", "1024"])
    func rejects(_ text: String) {
        #expect {
            _ = try CPUSet.parse(text)
        } throws: { error in
            (error as? CPUSetParseError)?.description.contains("\"\(text)\"") == true
        }
    }

    @Test("The online CPUs are a non-empty sorted list")
    func online() {
        let cpus = CPUSet.online()
        #expect(!cpus.isEmpty)
        #expect(cpus == cpus.sorted())
    }

    @Test("A worker thread can pin itself to an online CPU but not to an absent one")
    func pinning() throws {
        let outcome = Mutex<(ok: Bool, absent: Int32?)>((false, nil))
        let cpu = CPUSet.online()[0]
        let thread = try WorkerThread(name: "pin-test") {
            let ok = (try? CPUSet.pinCurrentThread(to: cpu)) != nil
            var absent: Int32? = nil
            do { try CPUSet.pinCurrentThread(to: CPUSet.maximumCPU) } catch let error as SystemError { absent = error.errno } catch {}
            outcome.withLock { $0 = (ok, absent) }
        }
        thread.join()
        let result = outcome.withLock { $0 }
        #expect(result.ok)
        #expect(result.absent == EINVAL)
    }

    @Test("user_data packs kind and index and unpacks them unchanged")
    func userData() {
        let value = UserData(kind: .send, index: 4095)
        #expect(UserData(rawValue: value.rawValue).kind == .send)
        #expect(UserData(rawValue: value.rawValue).index == 4095)
        #expect(UserData(rawValue: 0).kind == nil)
    }
}
