import Synchronization

/// A one-way flag a controller sets and workers poll once per loop turn.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func request() {
        flag.store(true, ordering: .releasing)
    }

    public var isRequested: Bool {
        flag.load(ordering: .acquiring)
    }
}
