// BEP 15 connection_id: the 64-bit token a client obtains with a connect request and then sends in
// every announce and scrape, so a tracker can tell a spoofed source address from a real one.
public struct ConnectionID: Hashable, Sendable {
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }
}
