// swift-tools-version:6.3
// Micro benchmarks for RingTracker's hot path (ordo-one/benchmark). Its own package so the main
// build never pulls package-benchmark in. Run from this directory:
//   swift package benchmark            (or: swift package benchmark --target TrackerMicro)
// Metrics: instructions (needs a hardware PMU; this VM has none, so it reads 0), CPU time, wall
// clock, throughput and mallocCountTotal (malloc interposer, the package's default trait).
import PackageDescription

let package = Package(
    name: "RingTrackerMicro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "RingTracker", path: "../.."),
        // MallocInterposer only: the RuntimeInterposer trait (Swift 6.3 ARC counters) needs
        // swift-runtime-interposer, which is not available here.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TrackerMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TrackerProtocol", package: "RingTracker"),
                .product(name: "TrackerCore", package: "RingTracker"),
                .product(name: "TrackerIO", package: "RingTracker"),
                .product(name: "TrackerServer", package: "RingTracker"),
            ],
            path: "Benchmarks/TrackerMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
