import FuzzSupport

FuzzDriver.run { input in StatedumpFuzz.run(Array(input)) }
