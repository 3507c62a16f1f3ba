// swift-tools-version:6.2
// libFuzzer targets for RingTracker's parsers (issue 12). Its own package so a normal `swift build`
// of the root package never builds them: each target has libFuzzer's driver as its main loop and
// needs `-sanitize=fuzzer`. Build and run them with `scripts/fuzz` (see README.md here).
//
// Debug builds enable testability in every module, so targets reach internal API (the UDP
// worker's `respond`, the cluster receiver) with `@testable import` instead of making it public.
import PackageDescription

/// One executable per fuzz target: Sources/<name>/main.swift hands its body to `FuzzDriver.run`.
let targets = [
    "FuzzUDP", "FuzzHTTP", "FuzzBencode", "FuzzConfig", "FuzzAccessList", "FuzzSnapshot", "FuzzStatedump",
    "FuzzLivesync",
]

/// The RingTracker modules every executable may use.
let modules: [Target.Dependency] = ["TrackerProtocol", "TrackerCore", "TrackerIO", "TrackerServer"].map {
    .product(name: $0, package: "RingTracker")
}

let package = Package(
    name: "RingTrackerFuzz",
    dependencies: [
        .package(name: "RingTracker", path: "../.."),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "TrackerCore", package: "RingTracker")]
        ),
        // Writes the binary seeds from the encoders. Linked with FuzzSupport, which satisfies
        // libFuzzer's reference to LLVMFuzzerTestOneInput when scripts/fuzz builds everything
        // with -sanitize=fuzzer; its own main runs, not libFuzzer's.
        .executableTarget(
            name: "FuzzSeeds",
            dependencies: ["FuzzSupport"] + modules
        ),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport"] + modules
        )
    }
)
