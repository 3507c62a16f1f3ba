/// The 64-bit `user_data` of every SQE this module submits: a kind in the top byte and an index
/// (socket index for receives, slot index for sends) in the low 56 bits.
struct UserData: Equatable {
    enum Kind: UInt8 {
        /// A multishot recvmsg; index = socket index.
        case receive = 1
        /// A sendmsg from a send slot; index = slot index.
        case send = 2
        /// An async cancel issued at shutdown; index unused.
        case cancel = 3
    }

    /// Top byte holds the kind: 8 bits leave 56 for the index, far above any slot count.
    static let kindShift: UInt64 = 56
    static let indexMask: UInt64 = (1 << kindShift) - 1

    let rawValue: UInt64

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    init(kind: Kind, index: Int) {
        rawValue = UInt64(kind.rawValue) << Self.kindShift | (UInt64(truncatingIfNeeded: index) & Self.indexMask)
    }

    var kind: Kind? { Kind(rawValue: UInt8(truncatingIfNeeded: rawValue >> Self.kindShift)) }
    var index: Int { Int(truncatingIfNeeded: rawValue & Self.indexMask) }
}
