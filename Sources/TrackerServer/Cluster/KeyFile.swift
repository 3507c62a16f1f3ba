import TrackerCore
import TrackerIO

/// Reads the key files cluster nodes share: `--cluster-key` and `--connection-id-key`. A file
/// holds raw bytes, or hex (what `openssl rand -hex 32` writes); surrounding whitespace is ignored.
enum KeyFile {
    /// Key files are tiny; anything larger is a mistake, refused before it is read whole.
    static let maximumBytes = 4096

    static func read(_ path: String, what: String) throws(StartupError) -> [UInt8] {
        let text: String
        do { text = try BoundedFile.text(of: path, limit: maximumBytes) } catch { throw StartupError("\(what): \(error)") }
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.count % 2 == 0, !trimmed.isEmpty, let bytes = hexBytes(trimmed) { return bytes }
        return Array(trimmed.utf8)
    }

    /// `--cluster-key FILE`: at least 16 bytes.
    static func clusterKey(_ path: String) throws(StartupError) -> [UInt8] {
        let bytes = try read(path, what: "cluster-key")
        guard bytes.count >= ClusterAuthenticator.minimumKeyBytes else {
            throw StartupError("cluster-key \(path): \(bytes.count) bytes; at least \(ClusterAuthenticator.minimumKeyBytes) are needed (openssl rand -hex 32)")
        }
        return bytes
    }

    /// `--connection-id-key FILE`: the connection-ID MAC's AES-128 key, from the first 16 bytes (more are
    /// ignored), read as two big-endian words. The generator takes each word's bytes
    /// little-endian, so the AES key is the file's bytes reversed within each 8-byte half (the
    /// same for every node, which is all a cluster needs).
    static func connectionIDKey(_ path: String) throws(StartupError) -> (UInt64, UInt64) {
        let bytes = try read(path, what: "connection-id-key")
        guard bytes.count >= 16 else {
            throw StartupError("connection-id-key \(path): \(bytes.count) bytes; 16 are needed (openssl rand -hex 16)")
        }
        let first = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let second = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (first, second)
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for unit in text.utf8 {
            let nibble: UInt8
            switch unit {
            case 48...57: nibble = unit - 48
            case 97...102: nibble = unit - 87
            case 65...70: nibble = unit - 55
            default: return nil
            }
            if let value = high {
                bytes.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

extension ClusterConfiguration {
    init(settings: DaemonSettings) throws(StartupError) {
        self.init()
        if let listen = settings.livesyncListen {
            // "A.B.C.D:PORT": the interface address to join on, and the sync port.
            let parts = listen.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]), let address = Self.ipv4(parts[0]) else {
                throw StartupError("livesync-listen \(listen): an IPv4 interface address is needed (IPv6: --cluster-multicast6 IFACE)")
            }
            multicastIPv4Interface = address
            self.port = port
        }
        multicastIPv6Interface = settings.clusterMulticast6
        for node in settings.clusterNodes {
            do { nodes.append(try SocketAddress(parsing: node)) } catch { throw StartupError("cluster-node \(node): \(error)") }
        }
        allow = settings.livesyncNodes
        key = try settings.clusterKey.map { path throws(StartupError) in try KeyFile.clusterKey(path) }
        insecure = settings.clusterInsecure
        flushDelay = settings.clusterFlushDelay
        stateFrom = settings.clusterStateFrom
    }

    private static func ipv4(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4 else { return nil }
        return octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
