import FuzzSupport

FuzzDriver.run { input in AccessListFuzz.run(Array(input)) }
