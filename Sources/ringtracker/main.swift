print("ringtracker")
