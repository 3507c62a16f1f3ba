/// One worker's outstanding requests: a fixed array of slots (the window) and a free stack.
/// A transaction ID is (generation << 16) | slot, so a reply maps to its slot in O(1), and a late or
/// duplicated reply for a reused slot is caught by the generation (counted as unknown_tid).
struct TransactionTable {
    /// 16 bits of slot index in every transaction ID.
    static let maximumSlots = 1 << 16

    private(set) var transactionIDs: [UInt32]
    private(set) var sockets: [Int32]
    private(set) var kinds: [UInt8]          // 0 = free, else RequestKind.rawValue
    private(set) var details: [Int32]        // scrape hash count or numwant
    private(set) var peers: [Int32]          // local peer index for announces, -1 otherwise
    private(set) var sentAt: [UInt64]        // monotonic ns
    private var freeSlots: [Int32]
    private var generation: UInt32 = 1

    init(slots: Int) {
        let count = min(max(slots, 1), Self.maximumSlots)
        transactionIDs = [UInt32](repeating: 0, count: count)
        sockets = [Int32](repeating: -1, count: count)
        kinds = [UInt8](repeating: 0, count: count)
        details = [Int32](repeating: 0, count: count)
        peers = [Int32](repeating: -1, count: count)
        sentAt = [UInt64](repeating: 0, count: count)
        freeSlots = (0..<Int32(count)).reversed()
        freeSlots.reserveCapacity(count)
    }

    var capacity: Int { kinds.count }
    var free: Int { freeSlots.count }
    var outstanding: Int { capacity - freeSlots.count }

    /// Takes a free slot and returns its transaction ID, or nil when the window is full.
    mutating func open(socket: Int, kind: RequestKind, detail: Int, peer: Int, now: UInt64) -> (slot: Int, tid: UInt32)? {
        guard let slot32 = freeSlots.popLast() else { return nil }
        let slot = Int(slot32)
        generation = generation == 0xFFFF ? 1 : generation + 1
        let tid = generation << 16 | UInt32(slot)
        transactionIDs[slot] = tid
        sockets[slot] = Int32(socket)
        kinds[slot] = kind.rawValue
        details[slot] = Int32(clamping: detail)
        peers[slot] = Int32(clamping: peer)
        sentAt[slot] = now
        return (slot, tid)
    }

    /// The slot of an outstanding request with this ID sent on `socket`, or nil (unknown_tid).
    func match(_ tid: UInt32, socket: Int) -> Int? {
        let slot = Int(tid & 0xFFFF)
        guard slot < capacity, kinds[slot] != 0, transactionIDs[slot] == tid, sockets[slot] == Int32(socket) else {
            return nil
        }
        return slot
    }

    mutating func close(_ slot: Int) {
        guard kinds[slot] != 0 else { return }
        kinds[slot] = 0
        freeSlots.append(Int32(slot))
    }

    /// Closes every request sent before `deadline` and reports each (slot data read before close).
    mutating func expire(sentBefore deadline: UInt64, _ body: (_ socket: Int, _ kind: RequestKind) -> Void) {
        for slot in 0..<capacity where kinds[slot] != 0 && sentAt[slot] < deadline {
            body(Int(sockets[slot]), RequestKind(rawValue: kinds[slot]) ?? .announce)
            close(slot)
        }
    }
}
