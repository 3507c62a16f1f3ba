import FuzzSupport

FuzzDriver.run { input in ConfigFuzz.run(Array(input)) }
