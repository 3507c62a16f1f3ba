import TrackerIO
