// BEP 15 transaction_id: chosen by the client, echoed unchanged in the reply so the client can match
// replies to requests over an unordered, lossy transport.
public struct TransactionID: Hashable, Sendable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }
}
