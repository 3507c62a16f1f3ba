import Testing
@testable import TrackerServer

@Suite("Repeated warnings are rate-limited")
struct RepeatLimiterTests {
    @Test("The first occurrence logs, repeats within the interval are counted, then one line reports them")
    func limitsAndCounts() {
        let limiter = RepeatLimiter(interval: 600)
        #expect(limiter.admit(now: 1000) == 0)
        #expect(limiter.admit(now: 1001) == nil)
        #expect(limiter.admit(now: 1599) == nil)
        #expect(limiter.admit(now: 1600) == 2, "two repeats were held back")
        limiter.reset()
        #expect(limiter.admit(now: 1601) == 0, "after the condition cleared, the next one logs at once")
    }
}
