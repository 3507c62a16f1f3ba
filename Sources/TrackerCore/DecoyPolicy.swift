/// Decoy peers ("plausible deniability", as the opentracker literature describes it and chihaya once
/// shipped as a middleware; opentracker itself never had the code): a share of
/// each announce reply is made of addresses drawn from networks the operator names, so that being
/// listed in a swarm proves less about a host.
///
/// Opt-in only: off by default, and there is no default range: decoys are never random third-party
/// hosts, only addresses in ranges the operator controls (a sinkhole, a darknet, their own spare
/// space). The trade-off, documented for operators: clients waste connection attempts on decoys
/// (at most `percent` of what they were sent), and swarm counts stay true (decoys are never counted
/// as seeders or leechers).
public struct DecoyPolicy: Sendable, Equatable {
    /// A decoy share above half a reply would make real peers the minority of what a client gets.
    public static let maximumPercent = 50

    public struct IPv4Range: Sendable, Equatable {
        public var network: UInt32
        public var prefixLength: Int
        public init(network: UInt32, prefixLength: Int) {
            self.network = network
            self.prefixLength = prefixLength
        }
    }

    public struct IPv6Range: Sendable, Equatable {
        public var high: UInt64
        public var low: UInt64
        public var prefixLength: Int
        public init(high: UInt64, low: UInt64, prefixLength: Int) {
            self.high = high
            self.low = low
            self.prefixLength = prefixLength
        }
    }

    /// Decoys as a share of each reply, 0…`maximumPercent`; 0 = off.
    public var percent: Int
    public var ipv4: [IPv4Range]
    public var ipv6: [IPv6Range]

    public static let off = DecoyPolicy(percent: 0, ipv4: [], ipv6: [])

    public init(percent: Int, ipv4: [IPv4Range], ipv6: [IPv6Range]) {
        self.percent = min(max(percent, 0), Self.maximumPercent)
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    /// Decoys to add to a reply of `real` peers with room for `room` more: the most that keeps
    /// decoys at or below `percent` of the reply (d ≤ real·p / (100 − p)). No real peers, no decoys.
    public func count(real: Int, room: Int, ipv6 family: Bool) -> Int {
        guard percent > 0, real > 0, room > 0, family ? !ipv6.isEmpty : !ipv4.isEmpty else { return 0 }
        return min(real * percent / (100 - percent), room)
    }

    /// A random port clients could plausibly listen on (never a privileged one).
    static func port<R: RandomNumberGenerator>(_ rng: inout R) -> UInt16 { UInt16.random(in: 1024...65535, using: &rng) }

    func ipv4Peer<R: RandomNumberGenerator>(_ rng: inout R) -> Peer4 {
        let range = ipv4[Int.random(in: 0..<ipv4.count, using: &rng)]
        let hostBits = 32 - range.prefixLength
        let hostMask: UInt32 = hostBits == 32 ? .max : (1 << UInt32(hostBits)) &- 1
        var host = UInt32.random(in: 0...hostMask, using: &rng)
        // Not the network or broadcast address of a subnet that has other hosts.
        if hostBits >= 2 { host = 1 + UInt32.random(in: 0...(hostMask - 2), using: &rng) }
        return Peer4(address: range.network | host, port: Self.port(&rng))
    }

    func ipv6Peer<R: RandomNumberGenerator>(_ rng: inout R) -> Peer6 {
        let range = ipv6[Int.random(in: 0..<ipv6.count, using: &rng)]
        let hostBits = 128 - range.prefixLength
        var high = range.high
        var low = range.low
        let randomHigh = rng.next() as UInt64
        let randomLow = rng.next() as UInt64
        if hostBits >= 64 {
            low = randomLow
            let highBits = hostBits - 64
            if highBits > 0 { high |= highBits == 64 ? randomHigh : randomHigh & ((1 << UInt64(highBits)) - 1) }
        } else if hostBits > 0 {
            low |= randomLow & ((1 << UInt64(hostBits)) - 1)
        }
        return Peer6(IPv6Address(high: high, low: low), port: Self.port(&rng))
    }
}
