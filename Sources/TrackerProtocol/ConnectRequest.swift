// BEP 15 connect request: protocol_id u64 (0x41727101980), action u32 = 0, transaction_id u32 (16 B).
// The protocol_id is checked by the parser and carries no information, so only the
// transaction_id is kept.
public struct ConnectRequest: Hashable, Sendable {
    public var transactionID: TransactionID

    public init(transactionID: TransactionID) {
        self.transactionID = transactionID
    }
}
