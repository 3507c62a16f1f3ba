#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TrackerIO

/// Echoes every datagram, except those starting with `EchoHandler.silentMarker`, which get no reply.
struct EchoHandler: DatagramHandler {
    static let silentMarker: UInt8 = 0x00
    let ticks: TickCounter

    mutating func handleDatagram(_ payload: UnsafeRawBufferPointer, source: UnsafeRawPointer,
                                 reply: UnsafeMutableRawBufferPointer) -> Int {
        // Indexing, not `first`: Collection.first is unspecialised in debug builds and allocates.
        if payload.count > 0 && payload[0] == Self.silentMarker { return 0 }
        let count = min(payload.count, reply.count)
        reply.copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[0..<count]))
        return count
    }

    mutating func tick() {
        ticks.value.add(1, ordering: .relaxed)
    }
}

final class TickCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// An engine running `EchoHandler` on its own WorkerThread.
final class RunningEngine {
    let stop = StopSignal()
    let counters = EngineCounters()
    let ticks = TickCounter()
    let failure = FailureBox()
    private var thread: WorkerThread?

    init(sockets: [Int32], configuration: WorkerEngineConfiguration) throws {
        let stop = stop, counters = counters, ticks = ticks, failure = failure
        thread = try WorkerThread(name: "io-test") {
            var handler = EchoHandler(ticks: ticks)
            do {
                try UDPWorkerEngine.run(sockets: sockets, handler: &handler, configuration: configuration,
                                        stop: stop, counters: counters)
            } catch let error as SystemError {
                failure.error.withLock { $0 = error }
            } catch {
                failure.error.withLock { $0 = SystemError(errno: -1, call: "\(error)") }
            }
        }
    }

    /// Requests stop, joins, and returns how long that took.
    @discardableResult
    func finish() -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        stop.request()
        thread?.join()
        thread = nil
        return clock.now - start
    }

    deinit { finish() }

    /// Waits until `condition` holds on the published counters, or the deadline passes.
    func waitForCounters(timeout: Duration = .seconds(5), _ condition: (EngineCounts) -> Bool) -> EngineCounts {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var counts = counters.snapshot()
        while !condition(counts) && clock.now < deadline {
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)   // poll interval, not synchronisation
            nanosleep(&pause, nil)
            counts = counters.snapshot()
        }
        return counts
    }
}

/// Lets the worker closure report a thrown error through a Sendable reference.
final class FailureBox: Sendable {
    let error = Mutex<SystemError?>(nil)
    var value: SystemError? { error.withLock { $0 } }
}

/// A plain blocking-with-timeout UDP client built from Glibc calls.
final class TestClient {
    let fd: Int32

    init(family: Int32) {
        fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(fd >= 0, "test client socket")
        var size: Int32 = 4 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8], to address: SocketAddress) -> Bool {
        address.withSockAddr { pointer, length in
            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, pointer, length) } == bytes.count
        }
    }

    /// The next datagram, or nil if none arrives within `timeoutMilliseconds`.
    func receive(timeoutMilliseconds: Int32 = 3000) -> [UInt8]? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, timeoutMilliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count >= 0 ? Array(buffer.prefix(count)) : nil
    }

    /// True if a datagram is already waiting.
    var hasPendingDatagram: Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }
}

/// The payload for sequence number `sequence`: a marker, 8 bytes of number, then a length-varying pattern.
func testPayload(_ sequence: Int) -> [UInt8] {
    var bytes: [UInt8] = [0x52]   // never the silent marker
    bytes += withUnsafeBytes(of: UInt64(sequence).bigEndian) { Array($0) }
    for index in 0..<(sequence % 97) { bytes.append(UInt8(truncatingIfNeeded: sequence &+ index)) }
    return bytes
}
