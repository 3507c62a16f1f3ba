import FuzzSupport

FuzzDriver.run { input in HTTPFuzz.run(Array(input)) }
