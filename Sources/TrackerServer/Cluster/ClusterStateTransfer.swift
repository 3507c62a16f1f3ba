import Crypto
import TrackerCore
import TrackerIO
import TrackerProtocol

/// A node that starts asks one configured peer (`--cluster-state-from HOST:PORT`, its HTTP
/// listener) for its swarms: `GET /cluster-state`, answered with the snapshot format of
/// `--state-file` (docs/SNAPSHOTS.md). With a cluster key the request carries
/// `X-Cluster-Auth: <unix s>.<hex HMAC-SHA256-96("ringtracker cluster state <unix s>")>` (30 s window)
/// and the answer `X-Cluster-MAC: <hex HMAC-SHA256(body)>`, checked before anything is loaded.
/// Bounded in size and time; any failure logs and the node starts with what it has.
public enum ClusterStateTransfer {
    public static let path = "/cluster-state"
    /// 2 GiB: a snapshot holds ~12 B per IPv4 peer, so ~150 M peers; more is a mistake or an attack.
    public static let maxBytes = 2 << 30
    /// 60 s in all: 1 GiB over a 1 Gbit/s link takes 9 s.
    public static let timeoutSeconds = 60.0

    static func requestToken(key: [UInt8], now: UInt32) -> String {
        "\(now).\(hex(ClusterAuthenticator(keyBytes: key).mac(Array("ringtracker cluster state \(now)".utf8)[...])))"
    }

    static func isValidToken(_ token: String, key: [UInt8], now: UInt32) -> Bool {
        let parts = token.split(separator: ".")
        guard parts.count == 2, let stamp = UInt32(parts[0]), ClusterAuthenticator.isFresh(stamp, now: now) else { return false }
        return constantTimeEqual(Array(requestToken(key: key, now: stamp).utf8), Array(token.utf8))
    }

    static func bodyMAC(_ body: [UInt8], key: [UInt8]) -> String {
        hex(Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))))
    }

    /// Fetches and loads the peer's state into `store`. Returns a one-line report, or throws a
    /// message for the log.
    static func fetch(from peer: String, key: [UInt8]?, into store: TorrentStore, now: UInt32) throws(StartupError) -> SnapshotLoadReport {
        let address: SocketAddress
        do { address = try SocketAddress(parsing: peer) } catch { throw StartupError("cluster-state-from \(peer): \(error)") }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(peer)\r\nConnection: close\r\n"
        if let key { request += "X-Cluster-Auth: \(requestToken(key: key, now: now))\r\n" }
        request += "\r\n"
        let response: [UInt8]
        do {
            response = try TCPFetch.exchange(address, request: Array(request.utf8), maxBytes: maxBytes, timeoutSeconds: timeoutSeconds)
        } catch {
            throw StartupError("cluster state from \(peer): \(error)")
        }
        guard let split = headEnd(response) else { throw StartupError("cluster state from \(peer): no HTTP response head") }
        let head = String(decoding: response[..<split], as: UTF8.self)
        let body = Array(response[(split + 4)...])
        guard head.hasPrefix("HTTP/1.1 200") || head.hasPrefix("HTTP/1.0 200") else {
            throw StartupError("cluster state from \(peer): \(head.split(separator: "\r\n").first ?? "")")
        }
        let headers = head.split(separator: "\r\n").dropFirst()
        func header(_ name: String) -> String? {
            for line in headers {
                let pair = line.split(separator: ":", maxSplits: 1)
                if pair.count == 2, pair[0].lowercased() == name.lowercased() {
                    return pair[1].drop(while: { $0 == " " }).description
                }
            }
            return nil
        }
        if let length = header("Content-Length").flatMap({ Int($0) }), length != body.count {
            throw StartupError("cluster state from \(peer): \(body.count) of \(length) bytes")
        }
        if let key {
            guard let mac = header("X-Cluster-MAC"), constantTimeEqual(Array(mac.utf8), Array(bodyMAC(body, key: key).utf8)) else {
                throw StartupError("cluster state from \(peer): missing or wrong X-Cluster-MAC")
            }
        }
        do { return try SnapshotDecoder.load(bytes: body, into: store, now: now) } catch {
            throw StartupError("cluster state from \(peer): \(error)")
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    static func hex(_ bytes: [UInt8]) -> String { HexDigits.lowercase(bytes) }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
