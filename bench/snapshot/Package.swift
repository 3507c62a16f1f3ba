// swift-tools-version:6.2
// Snapshot write/load benchmark for --state-file (see README.md here).
//
// The root package exports only executables, so a path dependency on it cannot reach TrackerCore or
// TrackerIO; the module sources are symlinked instead (same files, compiled here in release mode).
import PackageDescription

let package = Package(
    name: "SnapshotBench",
    targets: [
        .target(name: "CLiburingShim", path: "CLiburingShim", linkerSettings: [.linkedLibrary("uring")]),
        .target(name: "TrackerProtocol", swiftSettings: [.strictMemorySafety()]),
        .target(name: "TrackerCore", dependencies: ["TrackerProtocol"], swiftSettings: [.strictMemorySafety()]),
        .target(name: "TrackerIO", dependencies: ["CLiburingShim"]),
        .executableTarget(name: "snapshot-bench", dependencies: ["TrackerCore", "TrackerProtocol", "TrackerIO"]),
    ]
)
