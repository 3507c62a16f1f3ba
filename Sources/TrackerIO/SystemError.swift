#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the errno it left and the name of the call, e.g. "bind: Address already in use".
/// `errno` is 0 for a failed step that is not a syscall's ("user 'tracker' does not exist").
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    public let errno: Int32
    public let call: String

    public init(errno: Int32, call: String) {
        self.errno = errno
        self.call = call
    }

    public var description: String {
        errno == 0 ? call : "\(call): \(String(cString: strerror(errno)))"
    }
}

/// The outcome of a system call that may legitimately find nothing to do on a non-blocking fd.
@usableFromInline
enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

/// The one wrapper every raw syscall in TrackerIO goes through (swift-nio's System.swift model):
/// errno is read immediately after a failure, EINTR is retried, EAGAIN/EWOULDBLOCK comes back as
/// `.wouldBlock`, anything else throws `SystemError(errno, call)`. `call` is a `StaticString` so the
/// success path never builds a `String`.
@inlinable
func systemCall<T: BinaryInteger>(
    _ call: StaticString,
    _ body: () -> T
) throws(SystemError) -> IOResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .processed(result) }
        let error = Glibc.errno
        switch error {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        default: throw SystemError(errno: error, call: call.description)
        }
    }
}

/// `systemCall` for set-up calls on blocking paths, where EAGAIN is an error like any other.
@inlinable
func systemCallValue<T: BinaryInteger>(
    _ call: StaticString,
    _ body: () -> T
) throws(SystemError) -> T {
    switch try systemCall(call, body) {
    case .processed(let value): return value
    case .wouldBlock: throw SystemError(errno: EAGAIN, call: call.description)
    }
}

/// liburing reports failures as `-errno` return values rather than through `errno`.
@inlinable
func uringCall(_ call: StaticString, _ result: Int32) throws(SystemError) -> Int32 {
    if result < 0 { throw SystemError(errno: -result, call: call.description) }
    return result
}
