#if canImport(Glibc)
import Glibc
#endif

/// Preallocated sendmsg slots: each owns a msghdr, an iovec, a sockaddr_storage, a control buffer
/// (the reply's source address) and a payload buffer, all of which must stay put until the send's
/// CQE: the kernel reads them when it issues the request, which may be after submit returns.
struct SendSlotPool: ~Copyable {
    let count: Int
    let capacity: Int
    private let headers: UnsafeMutablePointer<msghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let names: UnsafeMutablePointer<sockaddr_storage>
    private let payloads: UnsafeMutableRawPointer
    private let controls: UnsafeMutableRawPointer
    /// Stack of free slot indices; `freeCount` entries are valid.
    private let freeList: UnsafeMutablePointer<Int32>
    /// Whether each slot is acquired: a second release of a slot would hand one buffer to two
    /// sends at once, so it is caught here (assertion in debug builds, ignored in release).
    private let acquired: UnsafeMutablePointer<Bool>
    private(set) var freeCount: Int

    init(count: Int, capacity: Int) {
        self.count = max(count, 1)
        self.capacity = capacity
        // SAFETY: `count` slots, each with its header, vector, name and control area and `capacity`
        // payload bytes (16-byte aligned for cmsg and sockaddr views), allocated once and freed in
        // deinit; a slot's memory is handed to the kernel only between acquire and release, and
        // `acquired` catches a double release that would give one buffer to two sends.
        headers = .allocate(capacity: self.count)
        vectors = .allocate(capacity: self.count)
        names = .allocate(capacity: self.count)
        payloads = .allocate(byteCount: self.count * capacity, alignment: 16)
        controls = .allocate(byteCount: self.count * PacketInfo.controlSpace, alignment: 16)
        freeList = .allocate(capacity: self.count)
        acquired = .allocate(capacity: self.count)
        acquired.initialize(repeating: false, count: self.count)
        for slot in 0..<self.count {
            // SAFETY: slot < count for every array; the pointers wired here stay valid until deinit.
            (names + slot).initialize(to: sockaddr_storage())
            (vectors + slot).initialize(to: iovec(iov_base: payloads + slot * capacity, iov_len: 0))
            var header = msghdr()
            header.msg_name = UnsafeMutableRawPointer(names + slot)
            header.msg_iov = vectors + slot
            header.msg_iovlen = 1
            (headers + slot).initialize(to: header)
            freeList[slot] = Int32(self.count - 1 - slot)
        }
        freeCount = self.count
    }

    deinit {
        headers.deallocate()
        vectors.deallocate()
        names.deallocate()
        payloads.deallocate()
        controls.deallocate()
        freeList.deallocate()
        acquired.deallocate()
    }

    /// A free slot index, or nil when every slot has a send in flight.
    mutating func acquire() -> Int? {
        guard freeCount > 0 else { return nil }
        freeCount -= 1
        let slot = Int(freeList[freeCount])
        acquired[slot] = true
        return slot
    }

    /// Returns a slot whose send has completed (or was never submitted).
    mutating func release(_ slot: Int) {
        guard slot >= 0, slot < count, freeCount < count else { return }
        assert(acquired[slot], "send slot \(slot) released twice")
        // SAFETY: slot < count; a slot that is not acquired is already on the free list.
        guard acquired[slot] else { return }
        acquired[slot] = false
        freeList[freeCount] = Int32(slot)
        freeCount += 1
    }

    /// The reply buffer of `slot`.
    func payload(_ slot: Int) -> UnsafeMutableRawBufferPointer {
        // SAFETY: slot < count (callers pass indices from acquire()); the buffer is `capacity` bytes.
        UnsafeMutableRawBufferPointer(start: payloads + slot * capacity, count: capacity)
    }

    /// The control buffer of `slot` (`PacketInfo.controlSpace` bytes, 8-aligned).
    func control(_ slot: Int) -> UnsafeMutableRawPointer {
        // SAFETY: slot < count (callers pass indices from acquire()).
        controls + slot * PacketInfo.controlSpace
    }

    /// Points `slot`'s msghdr at `length` reply bytes, a copy of the destination address and the
    /// first `controlLength` bytes of its control buffer (0: none).
    func prepare(
        _ slot: Int, length: Int, destination: UnsafeRawPointer, destinationLength: Int, controlLength: Int
    ) -> UnsafeMutablePointer<msghdr> {
        let nameLength = min(destinationLength, MemoryLayout<sockaddr_storage>.size)
        // SAFETY: `destination` holds `destinationLength` bytes of sockaddr (kernel-written name);
        // the slot's sockaddr_storage has room for nameLength bytes; slot < count.
        UnsafeMutableRawPointer(names + slot).copyMemory(from: destination, byteCount: nameLength)
        vectors[slot].iov_len = min(length, capacity)
        headers[slot].msg_namelen = socklen_t(nameLength)
        headers[slot].msg_control = controlLength > 0 ? control(slot) : nil
        headers[slot].msg_controllen = min(controlLength, PacketInfo.controlSpace)
        return headers + slot
    }
}
