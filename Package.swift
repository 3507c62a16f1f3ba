// swift-tools-version:6.2
// RingTracker: an open BitTorrent tracker for Linux. See README.md and docs/ARCHITECTURE.md.
import PackageDescription

// Release builds of TrackerProtocol, TrackerCore and TrackerIO optimise across module boundaries,
// so the UDP path (parser, connection IDs, store, engine loop) inlines into the handler's loop turn
// (TrackerServer, the handler's own module, gained nothing measurable from the flag and is left out):
// with the parser inlined, -251 user instructions per response under callgrind
// (bench/results/2026-12-06-2345-cmo.md).
// An unsafe flag only in the spelling SwiftPM gives it; bench/ packages use this one by path,
// where SwiftPM allows it.
let cmo = SwiftSetting.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
// Pure modules must stay free of unacknowledged unsafe code (STYLE.md).
let pureSettings: [SwiftSetting] = [.strictMemorySafety(), cmo]

// Every target lists each module it imports (toolchain modules such as Glibc, Foundation,
// Synchronization and Testing aside), so no import compiles only through another's dependencies.
let package = Package(
    name: "RingTracker",
    products: [
        .executable(name: "ringtracker", targets: ["ringtracker"]),
        .executable(name: "ringflood", targets: ["ringflood"]),
        // Libraries so bench/ packages (micro, snapshot) can depend on the modules by path.
        .library(name: "TrackerProtocol", targets: ["TrackerProtocol"]),
        .library(name: "TrackerCore", targets: ["TrackerCore"]),
        .library(name: "TrackerIO", targets: ["TrackerIO"]),
        .library(name: "TrackerServer", targets: ["TrackerServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // The only C in the project: what Swift cannot import from liburing and glibc, and the
        // CPU's AES instructions (connection IDs), which Swift cannot emit.
        .target(
            name: "CLiburingShim",
            path: "CLiburingShim",
            linkerSettings: [.linkedLibrary("uring")]
        ),
        // zlib from Debian (zlib1g-dev) for gzip full scrapes: a module map only, no C code.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // zstd from Debian (libzstd-dev) for zstd full scrapes, linked the same way.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // A pthread lock with Mutex's API, swapped in by sanitizer builds only (scripts/sanitize).
        .target(name: "TrackerLocks"),
        .target(name: "TrackerProtocol", swiftSettings: pureSettings),
        .target(name: "TrackerCore", dependencies: ["TrackerProtocol", "TrackerLocks"], swiftSettings: pureSettings),
        .target(name: "TrackerIO", dependencies: ["CLiburingShim", "TrackerLocks"], swiftSettings: [cmo]),
        .target(
            name: "TrackerServer",
            dependencies: [
                "TrackerCore", "TrackerProtocol", "TrackerIO", "TrackerLocks", "CZlib", "CZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "ringtracker",
            dependencies: [
                "TrackerServer", "TrackerCore", "TrackerIO", "TrackerProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ringflood",
            dependencies: [
                "TrackerIO", "TrackerProtocol", "TrackerLocks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(name: "TrackerProtocolTests", dependencies: ["TrackerProtocol"]),
        .testTarget(name: "TrackerCoreTests", dependencies: ["TrackerCore", "TrackerProtocol"]),
        .testTarget(name: "TrackerIOTests", dependencies: ["TrackerIO", "TrackerLocks"]),
        .testTarget(name: "RingFloodTests", dependencies: ["ringflood", "TrackerProtocol"]),
        .testTarget(
            name: "TrackerServerTests",
            dependencies: [
                "TrackerServer", "TrackerCore", "TrackerProtocol", "TrackerIO", "TrackerLocks", "CZlib", "CZstd",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
