// swift-tools-version:6.2
// RingTracker: an open BitTorrent tracker for Linux. See README.md and docs/ARCHITECTURE.md.
import PackageDescription

// Pure modules must stay free of unacknowledged unsafe code (STYLE.md).
let pureSettings: [SwiftSetting] = [.strictMemorySafety()]

let package = Package(
    name: "RingTracker",
    products: [
        .executable(name: "ringtracker", targets: ["ringtracker"]),
        .executable(name: "ringflood", targets: ["ringflood"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // The only C in the project: what Swift cannot import from liburing and glibc.
        .target(
            name: "CLiburingShim",
            path: "CLiburingShim",
            linkerSettings: [.linkedLibrary("uring")]
        ),
        .target(name: "TrackerProtocol", swiftSettings: pureSettings),
        .target(name: "TrackerCore", dependencies: ["TrackerProtocol"], swiftSettings: pureSettings),
        .target(name: "TrackerIO", dependencies: ["CLiburingShim"]),
        .target(
            name: "TrackerServer",
            dependencies: [
                "TrackerCore", "TrackerProtocol", "TrackerIO",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ringtracker",
            dependencies: [
                "TrackerServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ringflood",
            dependencies: [
                "TrackerIO", "TrackerProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TrackerProtocolTests", dependencies: ["TrackerProtocol"]),
        .testTarget(name: "TrackerCoreTests", dependencies: ["TrackerCore", "TrackerProtocol"]),
        .testTarget(name: "TrackerIOTests", dependencies: ["TrackerIO"]),
        .testTarget(
            name: "TrackerServerTests",
            dependencies: ["TrackerServer", "TrackerCore", "TrackerProtocol", "TrackerIO"]
        ),
    ]
)
