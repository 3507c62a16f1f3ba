// Placeholder: replaced by the TrackerCore implementation.
