RingFlood.main()
