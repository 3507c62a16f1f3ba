import FuzzSupport

FuzzDriver.run { input in SnapshotFuzz.run(FuzzReader(input)) }
