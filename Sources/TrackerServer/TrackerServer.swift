// Placeholder: replaced by the TrackerServer implementation.
