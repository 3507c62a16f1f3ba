#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim
import Synchronization

/// Why a backend cannot be used here, in one line.
public struct ProbeFailure: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Start-up checks that choose the I/O backend.
public enum IOProbe {
    /// A real round trip through what the io_uring engine uses: ring setup, a registered buffer
    /// ring, a multishot recvmsg on a loopback socket, and a datagram sent to itself (1 s limit).
    ///
    /// Run once per process (the answer cannot change) on a throwaway thread: tearing down a ring
    /// queues task work to the thread that submitted to it, which makes that thread's next
    /// blocking syscall return EINTR — it must not be the caller's.
    public static func ioUring() -> Result<Void, ProbeFailure> { cachedResult }

    private static let cachedResult: Result<Void, ProbeFailure> = {
        let result = Mutex<Result<Void, ProbeFailure>>(.failure(ProbeFailure(reason: "io_uring probe did not run")))
        do {
            let thread = try WorkerThread(name: "uring-probe") { result.withLock { $0 = probeOnThisThread() } }
            thread.join()
        } catch {
            return .failure(ProbeFailure(reason: "io_uring probe thread: \(error)"))
        }
        return result.withLock { $0 }
    }()

    private static func probeOnThisThread() -> Result<Void, ProbeFailure> {
        if let text = BoundedFile.systemText(of: "/proc/sys/kernel/io_uring_disabled"),
           text.trimmingWhitespace() == "2" {
            return .failure(ProbeFailure(reason: "io_uring disabled (kernel.io_uring_disabled=2)"))
        }
        do {
            try roundTrip()
            return .success(())
        } catch let failure as ProbeFailure {
            return .failure(failure)
        } catch let error as SystemError {
            let hint = error.errno == EPERM || error.errno == ENOSYS
                ? " (seccomp, or kernel.io_uring_disabled=1?)" : ""
            return .failure(ProbeFailure(reason: "\(error)\(hint)"))
        } catch {
            return .failure(ProbeFailure(reason: "\(error)"))
        }
    }

    /// True when `ioUring()` succeeds.
    public static var isIOUringAvailable: Bool {
        if case .success = ioUring() { return true }
        return false
    }

    private static func roundTrip() throws {
        let message: [UInt8] = Array("RingTracker io_uring probe".utf8)
        // The receive template is freed last, after the ring is destroyed: until then an armed
        // multishot recvmsg may read it (defers run in reverse order).
        let header = UnsafeMutablePointer<msghdr>.allocate(capacity: 1)
        defer { header.deallocate() }
        var template = msghdr()
        template.msg_namelen = socklen_t(MemoryLayout<sockaddr_in6>.size)
        header.initialize(to: template)

        let buffers = try ProvidedBufferRing(entries: 8, bufferSize: 256)
        let (ring, _) = try UringRing.create(submissionEntries: 8, completionEntries: 16)
        defer { UringRing.destroy(ring) }
        try buffers.register(on: ring)
        defer { buffers.unregister(from: ring) }
        let socket = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false, receiveBuffer: 0)
        let address = try socket.localAddress()

        guard let sqe = io_uring_get_sqe(ring) else { throw ProbeFailure(reason: "io_uring_get_sqe: ring full") }
        // SAFETY: `header` outlives the ring: its deallocation was deferred first, so it runs after destroy.
        io_uring_prep_recvmsg_multishot(sqe, socket.fileDescriptor, header, 0)
        sqe.pointee.flags |= CLiburingShim_IOSQE_BUFFER_SELECT
        sqe.pointee.buf_group = ProvidedBufferRing.groupID
        io_uring_sqe_set_data64(sqe, UserData(kind: .receive, index: 0).rawValue)
        _ = try uringCall("io_uring_submit", io_uring_submit(ring))

        _ = try address.withSockAddr { (pointer, length) throws(SystemError) -> Int in
            try systemCallValue("sendto") {
                // SAFETY: `message` is a live array for this call; sendto only reads $0.count bytes.
                message.withUnsafeBytes { sendto(socket.fileDescriptor, $0.baseAddress, $0.count, 0, pointer, length) }
            }
        }

        var timeout = __kernel_timespec(tv_sec: 1, tv_nsec: 0)
        var cqe: UnsafeMutablePointer<io_uring_cqe>? = nil
        let waited = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &timeout, nil)
        if waited == -ETIME { throw ProbeFailure(reason: "io_uring: multishot recvmsg saw no datagram within 1 s") }
        _ = try uringCall("io_uring_submit_and_wait_timeout", waited)
        guard let cqe else { throw ProbeFailure(reason: "io_uring: no completion") }
        defer { io_uring_cqe_seen(ring, cqe) }
        let result = cqe.pointee.res
        if result < 0 { throw SystemError(errno: -result, call: "io_uring recvmsg multishot") }
        let flags = cqe.pointee.flags
        guard flags & UInt32(IORING_CQE_F_BUFFER) != 0,
              let buffer = buffers.buffer(UInt16(truncatingIfNeeded: flags >> UInt32(IORING_CQE_BUFFER_SHIFT))),
              let out = io_uring_recvmsg_validate(buffer, result, header)
        else { throw ProbeFailure(reason: "io_uring: multishot recvmsg returned no provided buffer") }
        let length = Int(io_uring_recvmsg_payload_length(out, result, header))
        // SAFETY: validate() checked the header and name fit; payload_length is the rest of `result`.
        let payload = UnsafeRawBufferPointer(start: io_uring_recvmsg_payload(out, header), count: length)
        guard payload.elementsEqual(message) else {
            throw ProbeFailure(reason: "io_uring: multishot recvmsg returned the wrong bytes")
        }
        cancelReceive(on: ring)
    }

    /// Cancels the still-armed multishot receive and reaps its last completion, so nothing is
    /// in flight when the ring is destroyed (bounded: 1 s).
    private static func cancelReceive(on ring: UnsafeMutablePointer<io_uring>) {
        guard let sqe = io_uring_get_sqe(ring) else { return }
        io_uring_prep_cancel64(sqe, UserData(kind: .receive, index: 0).rawValue, 0)
        io_uring_sqe_set_data64(sqe, UserData(kind: .cancel, index: 0).rawValue)
        var receiveDone = false
        var cancelDone = false
        for _ in 0..<8 where !(receiveDone && cancelDone) {
            var timeout = __kernel_timespec(tv_sec: 0, tv_nsec: 125_000_000)
            var cqe: UnsafeMutablePointer<io_uring_cqe>? = nil
            guard io_uring_submit_and_wait_timeout(ring, &cqe, 1, &timeout, nil) >= 0 else { continue }
            while io_uring_peek_cqe(ring, &cqe) == 0, let completion = cqe {
                let data = UserData(rawValue: completion.pointee.user_data)
                if data.kind == .cancel { cancelDone = true }
                if data.kind == .receive, completion.pointee.flags & UInt32(IORING_CQE_F_MORE) == 0 { receiveDone = true }
                io_uring_cqe_seen(ring, completion)
            }
        }
    }
}
