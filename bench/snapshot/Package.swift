// swift-tools-version:6.2
// Snapshot write/load benchmark for --state-file (see README.md here).
import PackageDescription

let package = Package(
    name: "SnapshotBench",
    dependencies: [.package(name: "RingTracker", path: "../..")],
    targets: [
        .executableTarget(
            name: "snapshot-bench",
            dependencies: [
                .product(name: "TrackerCore", package: "RingTracker"),
                .product(name: "TrackerProtocol", package: "RingTracker"),
                .product(name: "TrackerIO", package: "RingTracker"),
            ]
        ),
    ]
)
