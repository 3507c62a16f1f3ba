#if canImport(Glibc)
import Glibc
#endif

/// One bounded HTTP/1.1 exchange over a plain TCP socket, for the cluster state transfer at start:
/// connect, send the request, read until the peer closes, never more than `maxBytes` and never
/// longer than `timeoutSeconds` in all. Blocking is fine here: it runs once, before workers start.
public enum TCPFetch {
    public static func exchange(
        _ address: SocketAddress, request: [UInt8], maxBytes: Int, timeoutSeconds: Double
    ) throws(SystemError) -> [UInt8] {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try systemCallValue("socket") { socket(address.family, type, 0) }
        defer { close(fd) }
        let deadline = MonotonicClock.seconds() + timeoutSeconds
        let connected = address.withSockAddr { pointer, length in connect(fd, pointer, length) }
        if connected != 0 && errno != EINPROGRESS { throw SystemError(errno: errno, call: "connect") }
        try wait(fd, for: Int16(POLLOUT), until: deadline)
        var failure: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size)
        if failure != 0 { throw SystemError(errno: failure, call: "connect") }
        var offset = 0
        while offset < request.count {
            try wait(fd, for: Int16(POLLOUT), until: deadline)
            let sent = request[offset...].withUnsafeBytes { raw in send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw SystemError(errno: errno, call: "send")
            }
            offset += sent
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            try wait(fd, for: Int16(POLLIN), until: deadline)
            let count = chunk.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, 0) }
            if count == 0 { return response }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw SystemError(errno: errno, call: "recv")
            }
            guard response.count + count <= maxBytes else { throw SystemError(errno: EFBIG, call: "recv") }
            response += chunk[0..<count]
        }
    }

    private static func wait(_ fd: Int32, for events: Int16, until deadline: Double) throws(SystemError) {
        while true {
            let left = deadline - MonotonicClock.seconds()
            guard left > 0 else { throw SystemError(errno: ETIMEDOUT, call: "poll") }
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&poller, 1, Int32(min(left * 1000, 1000)) + 1)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw SystemError(errno: errno, call: "poll") }
        }
    }
}
