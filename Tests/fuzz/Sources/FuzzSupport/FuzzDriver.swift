import Glibc

/// Runs libFuzzer with a target's body.
///
/// SwiftPM links an executable's `main` to its module's top-level code (`--defsym main=<Module>_main`),
/// so libFuzzer's own `main` never runs: each target's main.swift calls `run`, which starts
/// libFuzzer's driver through `LLVMFuzzerRunDriver` (libFuzzer ≥ 11) with the same command line.
public enum FuzzDriver {
    /// Set once in `run`, before libFuzzer calls back on this thread.
    nonisolated(unsafe) static var body: ((UnsafeBufferPointer<UInt8>) -> Void)?

    /// Never returns: exits with libFuzzer's status (0, or its error exit code after a crash,
    /// leak or timeout, with the reproducer written to `-artifact_prefix`).
    public static func run(_ body: @escaping (UnsafeBufferPointer<UInt8>) -> Void) -> Never {
        Self.body = body
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runLibFuzzer(&argc, &argv) { data, size in FuzzDriver.testOneInput(data, size) })
    }

    static func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        // SAFETY: libFuzzer passes `size` readable bytes at `data` for the duration of the call
        // (nil only when size is 0); the body gets no pointer that outlives it.
        body?(UnsafeBufferPointer(start: data, count: size))
        return 0
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzer(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// `-sanitize=fuzzer` links libFuzzer's FuzzerMain.o whole, and it references this symbol. Our
/// `main` replaces libFuzzer's, so this is only a link-time requirement; it still does the right thing.
@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzDriver.testOneInput(data, size)
}
