import Glibc
import TrackerCore
import TrackerIO
import TrackerProtocol

// Writes the binary seeds of the corpus (UDP datagram sequences, snapshots, livesync packets)
// from the encoders themselves, so they stay valid when a format changes:
//     swift run --package-path Tests/fuzz FuzzSeeds Tests/fuzz/corpus
// The text seeds (configs, lists, statedumps, HTTP targets) are written by hand.
guard CommandLine.arguments.count == 2 else {
    print("usage: FuzzSeeds CORPUS-DIRECTORY")
    exit(2)
}
let corpus = CommandLine.arguments[1]
var written = 0
for (name, bytes) in UDPSeeds.all() + SnapshotSeeds.all() + LivesyncSeeds.all() {
    do {
        _ = try AtomicFile.write([bytes], to: "\(corpus)/\(name)")
        written += 1
    } catch {
        print("FuzzSeeds: \(corpus)/\(name): \(error)")
        exit(1)
    }
}
print("FuzzSeeds: wrote \(written) seeds under \(corpus)")
