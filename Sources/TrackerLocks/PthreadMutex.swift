#if canImport(Glibc)
import Glibc
#endif

/// A lock with `Synchronization.Mutex`'s API on a `pthread_mutex_t`, used only in sanitizer builds
/// (`scripts/sanitize` passes `-DRINGTRACKER_PTHREAD_MUTEX`, and each module's `SanitizerMutex.swift`
/// then makes `Mutex` name this type).
///
/// Why: on Linux, `Synchronization.Mutex` locks with atomics and futex calls inside the prebuilt
/// standard library, which ThreadSanitizer does not instrument. It sees no lock, so every access
/// under one is reported as a race (4 threads × 100,000 `withLock` increments of one dictionary:
/// a "Swift access race" report, yet the total is exactly 400,000). ThreadSanitizer intercepts
/// `pthread_mutex_lock`/`unlock`, so with this lock it checks what the code really does. Release
/// builds keep `Synchronization.Mutex`.
public struct PthreadMutex<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    private final class Storage {
        let lock: UnsafeMutablePointer<pthread_mutex_t>
        var value: Value

        init(_ value: consuming Value) {
            self.value = value
            lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
            // SAFETY: `lock` points at freshly allocated, exclusively owned storage for one mutex.
            unsafe pthread_mutex_init(lock, nil)
        }

        deinit {
            // SAFETY: nothing else refers to the lock once its storage is deallocated.
            unsafe pthread_mutex_destroy(lock)
            unsafe lock.deallocate()
        }
    }

    private let storage: Storage

    public init(_ value: consuming sending Value) {
        storage = Storage(value)
    }

    /// Runs `body` with the value while holding the lock.
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        // SAFETY: the lock was initialised in `Storage.init` and lives as long as `storage`.
        unsafe pthread_mutex_lock(storage.lock)
        defer { unsafe pthread_mutex_unlock(storage.lock) }
        return try body(&storage.value)
    }
}
