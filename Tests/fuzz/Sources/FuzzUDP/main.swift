import FuzzSupport

FuzzDriver.run { input in UDPFuzz.run(FuzzReader(input)) }
