"""Reminders of visits and peer-group meetings: the reminders table is the truth."""
