#if canImport(Glibc)
import Glibc
#endif

/// Page-aligned, zero-filled memory from mmap, owned and unmapped on deinit. The buffer ring
/// must be page aligned (liburing 2.3 has no io_uring_setup_buf_ring to do this for us).
/// MAP_POPULATE faults every page in at start-up: the hot loop never takes a first-touch page
/// fault on a receive buffer, and the worker's resident size is what it will stay at.
struct AnonymousMemory: ~Copyable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int, call: StaticString) throws(SystemError) {
        let size = max(byteCount, 1)
        let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {   // MAP_FAILED
            throw SystemError(errno: errno, call: call.description)
        }
        base = mapped
        self.byteCount = size
    }

    deinit {
        // SAFETY: `base` came from mmap of `byteCount` bytes and is unmapped exactly once, here.
        _ = munmap(base, byteCount)
    }
}
