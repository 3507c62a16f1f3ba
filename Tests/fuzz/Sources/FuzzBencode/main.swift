import FuzzSupport

FuzzDriver.run { input in BencodeFuzz.run(FuzzReader(input)) }
