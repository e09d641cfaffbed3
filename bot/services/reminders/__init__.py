"""Reminders: appointments, safe hours, the ticker that fires them, and caseworkers' alerts."""
