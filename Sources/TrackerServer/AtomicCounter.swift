import Synchronization

/// `Atomic` is `~Copyable`; a small class lets an array hold one per reason.
final class AtomicCounter: Sendable {
    let value = Atomic<UInt64>(0)
}
