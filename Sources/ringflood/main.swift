print("ringflood")
