// Placeholder: replaced by the TrackerProtocol implementation.
