#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim
import Synchronization

/// A plain pthread running one closure: workers need a real, pinnable kernel thread, not a Task.
public final class WorkerThread: Sendable {
    private final class Context {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private let thread: pthread_t
    private let joined = Atomic<Bool>(false)

    public init(name: String, body: @escaping @Sendable () -> Void) throws(SystemError) {
        let context = Unmanaged.passRetained(Context(name: name, body: body))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            // SAFETY: `argument` is the +1 Unmanaged<Context> passed below; this consumes it exactly once.
            let context = Unmanaged<Context>.fromOpaque(argument!).takeRetainedValue()
            _ = CLiburingShim_set_thread_name(String(context.name.utf8.prefix(15)) ?? "worker")
            context.body()
            return nil
        }, context.toOpaque())
        guard result == 0 else {
            context.release()
            // pthread functions return the error number instead of setting errno.
            throw SystemError(errno: result, call: "pthread_create")
        }
        self.thread = thread
    }

    /// Waits for the closure to return. Safe to call more than once.
    public func join() {
        // Exactly one caller joins; pthread_join twice on one thread is undefined behaviour.
        guard joined.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        _ = pthread_join(thread, nil)
    }

    deinit {
        if !joined.load(ordering: .acquiring) { _ = pthread_detach(thread) }
    }
}
