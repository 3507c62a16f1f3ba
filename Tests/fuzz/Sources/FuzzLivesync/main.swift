import FuzzSupport

FuzzDriver.run { input in LivesyncFuzz.run(FuzzReader(input)) }
