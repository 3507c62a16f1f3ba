import Glibc
import Logging
import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

/// A response as the raw client read it.
struct HTTPTestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking loopback TCP client with a receive timeout, so every wait is bounded.
final class HTTPTestClient {
    let fd: Int32
    private var pending: [UInt8] = []

    /// `receiveBuffer`: a fixed SO_RCVBUF (no autotuning), so a large response backs up into the
    /// server instead of into this socket.
    /// `source`: an IPv4 loopback address to connect from (127.x.y.z), else the kernel's choice.
    init(address: String, timeoutSeconds: Int = 5, receiveBuffer: Int32? = nil, source: String? = nil) throws {
        let target = try TrackerIO.SocketAddress(parsing: address)
        let ipv6 = target.isIPv6
        fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestError.socket(errno) }
        if let source, !ipv6 {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw HTTPTestError.connect(errno)
            }
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = target.withSockAddr { connect(fd, $0, $1) }
        guard result == 0 else {
            close(fd)
            throw HTTPTestError.connect(errno)
        }
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// GET with the usual client headers.
    func get(_ target: String, headers: [String] = [], keepAlive: Bool = false) throws -> HTTPTestResponse {
        let extra = headers.map { "\($0)\r\n" }.joined()
        send("GET \(target) HTTP/1.1\r\nHost: tracker\r\n\(extra)\(keepAlive ? "" : "Connection: close\r\n")\r\n")
        return try readResponse()
    }

    /// Reads more bytes; false on EOF. Throws on timeout.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw HTTPTestError.timeout }
        if count == 0 { return false }
        pending += chunk[0..<count]
        return true
    }

    /// True when the server closed the connection (EOF, or a reset) within the timeout.
    func waitForClose() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    /// True when the server has closed the connection (EOF or reset) by now; does not wait.
    func isClosedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count == 0 { return true }
        return count < 0 && errno == ECONNRESET
    }

    private func line() throws -> String {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let text = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeSubrange(...end)
                return text.hasSuffix("\r") ? String(text.dropLast()) : text
            }
            guard try fill() else { throw HTTPTestError.closed }
        }
    }

    private func take(_ count: Int) throws -> [UInt8] {
        while pending.count < count { guard try fill() else { throw HTTPTestError.closed } }
        let bytes = Array(pending[..<count])
        pending.removeSubrange(..<count)
        return bytes
    }

    func readResponse() throws -> HTTPTestResponse {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw HTTPTestError.malformed(statusLine) }
        var headers: [(String, String)] = []
        while true {
            let header = try line()
            if header.isEmpty { break }
            guard let colon = header.firstIndex(of: ":") else { throw HTTPTestError.malformed(header) }
            headers.append((String(header[..<colon]), String(header[header.index(after: colon)...].drop(while: { $0 == " " }))))
        }
        var response = HTTPTestResponse(status: status, headers: headers, body: [])
        if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.body = try take(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                let sizeLine = try line()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw HTTPTestError.malformed(sizeLine)
                }
                if size == 0 {
                    _ = try line()
                    break
                }
                response.body += try take(size)
                _ = try line()
            }
        } else {
            while try fill() {}
            response.body = pending
            pending = []
        }
        return response
    }
}

enum HTTPTestError: Error {
    case socket(Int32), connect(Int32), timeout, closed, malformed(String)
}

/// A running front on loopback, ephemeral ports, unpinned (the test machine is shared).
final class HTTPTestServer {
    let store: TorrentStore
    let front: HTTPFront
    let addresses: [String]

    init(
        listeners: [String] = ["127.0.0.1:0"], udp: [UDPStatistics] = [], access: AccessPolicy? = nil,
        shardCount: Int = 16, startedAt: UInt32 = WallClock.seconds(), trackerID: UInt32 = 0,
        _ adjust: (inout HTTPConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = HTTPConfiguration(listeners: listeners, eventLoopCPUs: [0, 1], pinEventLoops: false)
        adjust(&configuration)
        store = TorrentStore(configuration: TrackerConfiguration(shardCount: shardCount))
        front = HTTPFront(
            configuration: configuration, store: store,
            statistics: TrackerStatisticsSource(udpWorkers: { udp }, startedAt: startedAt, trackerID: trackerID), access: access, logger: Logger(label: "http-test"))
        addresses = try front.start()
    }

    deinit { front.stop() }

    var address: String { addresses[0] }

    func client(_ index: Int = 0) throws -> HTTPTestClient { try HTTPTestClient(address: addresses[index]) }
}

/// Percent-encodes every byte.
func percentEncoded(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789ABCDEF")
    return bytes.map { "%\(digits[Int($0 >> 4)])\(digits[Int($0 & 0xF)])" }.joined()
}

func hashBytes(_ n: UInt8) -> [UInt8] { (0..<20).map { UInt8(truncatingIfNeeded: Int($0) * 7 + Int(n)) } }

func announcePath(_ hash: [UInt8], port: Int, left: Int = 100, extra: String = "") -> String {
    "/announce?info_hash=\(percentEncoded(hash))&peer_id=\(percentEncoded(Array("-RT0100-abcdefghijkl".utf8)))"
        + "&port=\(port)&left=\(left)&compact=1\(extra)"
}

/// Splits `d…5:peers<n>:<bytes>…e` naively: finds the value of a top-level string key.
func bencodedString(_ body: [UInt8], key: String) -> [UInt8]? {
    let marker = Array("\(key.utf8.count):\(key)".utf8)
    guard body.count > marker.count else { return nil }
    for start in 0...(body.count - marker.count) where Array(body[start..<(start + marker.count)]) == marker {
        var index = start + marker.count
        var length = 0
        while index < body.count, body[index] != UInt8(ascii: ":") {
            guard let digit = Int(String(UnicodeScalar(body[index]))) else { return nil }
            length = length * 10 + digit
            index += 1
        }
        index += 1
        guard index + length <= body.count else { return nil }
        return Array(body[index..<(index + length)])
    }
    return nil
}
