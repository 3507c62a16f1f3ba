// Placeholder: replaced by the TrackerIO implementation.
