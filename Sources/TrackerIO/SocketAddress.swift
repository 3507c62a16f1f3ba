#if canImport(Glibc)
import Glibc
#endif

/// Why an address string was rejected.
public struct SocketAddressParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public let input: String
    public let reason: String
    public var description: String { "invalid address \"\(input)\": \(reason)" }
}

/// An IPv4 or IPv6 UDP endpoint, stored as a `sockaddr_storage` ready to hand to the kernel.
public struct SocketAddress: Sendable, CustomStringConvertible, Equatable {
    public private(set) var storage: sockaddr_storage
    /// Bytes of `storage` that are meaningful: 16 for `sockaddr_in`, 28 for `sockaddr_in6`.
    public private(set) var length: socklen_t

    /// Parses "0.0.0.0:6969", "127.0.0.1:0", "[::]:6969" or "[::1]:7000".
    public init(parsing text: String) throws {
        func fail(_ reason: String) -> SocketAddressParseError {
            SocketAddressParseError(input: text, reason: reason)
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("missing ']' after IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { throw fail("expected ':port' after ']'") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw fail("expected host:port") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw fail("IPv6 addresses must be written in brackets, e.g. [::1]:6969") }
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), port <= 65535
        else { throw fail("port must be a number from 0 to 65535") }
        guard !host.isEmpty else { throw fail("missing host") }

        var storage = sockaddr_storage()
        let isV6 = text.hasPrefix("[")
        let converted: Int32 = withUnsafeMutableBytes(of: &storage) { raw in
            // SAFETY: sockaddr_storage is larger than and suitably aligned for sockaddr_in and
            // sockaddr_in6, and zeroed; the typed view lives only inside this closure, and
            // inet_pton writes at most the 4 or 16 address bytes it is pointed at.
            if isV6 {
                let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                sin6.pointee.sin6_port = UInt16(port).bigEndian
                return inet_pton(AF_INET6, String(host), &sin6.pointee.sin6_addr)
            } else {
                let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                sin.pointee.sin_family = sa_family_t(AF_INET)
                sin.pointee.sin_port = UInt16(port).bigEndian
                return inet_pton(AF_INET, String(host), &sin.pointee.sin_addr)
            }
        }
        guard converted == 1 else {
            throw fail(isV6 ? "not an IPv6 address" : "not a dotted IPv4 address")
        }
        self.storage = storage
        self.length = socklen_t(isV6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
    }

    /// Copies a `sockaddr_in` or `sockaddr_in6` from kernel-provided memory (e.g. a datagram's source).
    /// Returns nil for any other family.
    public init?(copying sockaddr: UnsafeRawPointer) {
        // SAFETY: every sockaddr starts with a 16-bit family; the caller passes at least that much.
        let family = Int32(sockaddr.loadUnaligned(as: sa_family_t.self))
        let size: Int
        switch family {
        case AF_INET: size = MemoryLayout<sockaddr_in>.size
        case AF_INET6: size = MemoryLayout<sockaddr_in6>.size
        default: return nil
        }
        var storage = sockaddr_storage()
        // SAFETY: the family says the source holds `size` bytes, and `size` ≤ sizeof(sockaddr_storage).
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: sockaddr, count: size)) }
        self.storage = storage
        self.length = socklen_t(size)
    }

    public var family: Int32 { Int32(storage.ss_family) }
    public var isIPv6: Bool { family == AF_INET6 }

    /// 0.0.0.0 or [::]: a socket bound here receives on every local address.
    public var isWildcard: Bool {
        withUnsafeBytes(of: storage) { raw in
            // SAFETY: reads inside the 128-byte sockaddr_storage only: offsetof(sin_addr) = 4
            // (4 bytes), offsetof(sin6_addr) = 8 (16 bytes).
            isIPv6 ? raw[8..<24].allSatisfy { $0 == 0 } : raw[4..<8].allSatisfy { $0 == 0 }
        }
    }

    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            // SAFETY: an unaligned 2-byte load at offset 2 of the 128-byte storage; sin_port and
            // sin6_port share that offset.
            UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        }
    }

    /// The address without the port, as inet_ntop writes it: "127.0.0.1", "::1" (no brackets).
    public var host: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = storage
        let ok: Bool = withUnsafeMutableBytes(of: &copy) { raw in
            let addressOffset = isIPv6 ? 8 : 4   // offsetof(sin6_addr) / offsetof(sin_addr)
            // SAFETY: `raw` covers the whole sockaddr_storage; both offsets lie inside it, and
            // inet_ntop writes at most text.count bytes into `text`.
            return inet_ntop(family, raw.baseAddress! + addressOffset, &text, socklen_t(text.count)) != nil
        }
        return ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    public var description: String {
        isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Lends the address to a C call taking `(const struct sockaddr *, socklen_t)`.
    public func withSockAddr<R, E: Error>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R) throws(E) -> R {
        var copy = storage
        return try withUnsafeMutableBytes(of: &copy) { (raw) throws(E) -> R in
            // SAFETY: sockaddr_storage is layout-compatible with sockaddr for the first `length` bytes.
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        guard lhs.length == rhs.length else { return false }
        return withUnsafeBytes(of: lhs.storage) { l in
            withUnsafeBytes(of: rhs.storage) { r in
                l.prefix(Int(lhs.length)).elementsEqual(r.prefix(Int(rhs.length)))
            }
        }
    }
}
