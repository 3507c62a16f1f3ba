#if RINGTRACKER_PTHREAD_MUTEX
import TrackerLocks

/// Sanitizer builds only: `Mutex` is the pthread lock ThreadSanitizer can see (see `PthreadMutex`).
typealias Mutex = PthreadMutex
#endif
