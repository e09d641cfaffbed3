"""The words of the schedule, visit and account pages, as message ids (vi and en in
locales/).

Kept apart from the routes so that the case page, the schedule page and the inbox strip
show an appointment with the same words.
"""

from __future__ import annotations

from dialogs.i18n import N_

W = {
    "nav": N_("console.schedule.nav"), "title": N_("console.schedule.title"),
    "intro": N_("console.schedule.intro"), "team": N_("console.schedule.team"),
    "all_teams": N_("console.schedule.all_teams"), "show": N_("console.schedule.show"),
    "appointments": N_("console.schedule.appointments"),
    "no_appointments": N_("console.schedule.no_appointments"),
    "upcoming": N_("console.schedule.upcoming"), "no_upcoming": N_("console.schedule.no_upcoming"),
    "missed": N_("console.schedule.missed"), "no_missed": N_("console.schedule.no_missed"),
    "visit": N_("console.schedule.visit"), "meeting": N_("console.schedule.meeting"),
    "visit_of": N_("console.schedule.visit_of"), "next": N_("console.schedule.next"),
    "place": N_("console.schedule.place"), "note": N_("console.schedule.note"),
    "date": N_("console.schedule.date"), "time": N_("console.schedule.time"),
    "zone_hint": N_("console.schedule.zone_hint"), "repeats": N_("console.schedule.repeats"),
    "people": N_("console.schedule.people"), "no_people": N_("console.schedule.no_people"),
    "answer": N_("console.schedule.answer"), "no_answer": N_("console.schedule.no_answer"),
    "schedule_visit": N_("console.schedule.schedule_visit"),
    "reschedule": N_("console.schedule.reschedule"), "cancel": N_("console.schedule.cancel"),
    "new_meeting": N_("console.schedule.new_meeting"),
    "meeting_title": N_("console.schedule.meeting_title"), "rule": N_("console.schedule.rule"),
    "custom": N_("console.schedule.custom"), "custom_rule": N_("console.schedule.custom_rule"),
    "custom_hint": N_("console.schedule.custom_hint"),
    "first_date": N_("console.schedule.first_date"),
    "people_hint": N_("console.schedule.people_hint"), "create": N_("console.schedule.create"),
    "due": N_("console.schedule.due"), "for_whom": N_("console.schedule.for_whom"),
    "for_person": N_("console.schedule.for_person"), "reason": N_("console.schedule.reason"),
    "yours": N_("console.schedule.yours"), "no_yours": N_("console.schedule.no_yours"),
    "case_n": N_("console.schedule.case_n"), "status": N_("console.schedule.status"),
}  # fmt: skip
ANSWERS = {
    "confirmed": N_("console.schedule.answer.confirmed"),
    "reschedule": N_("console.schedule.answer.reschedule"),
    "cancelled": N_("console.schedule.answer.cancelled"),
}  # fmt: skip
ANSWER_NOTE = N_("console.schedule.answer_note")
"""A case note recording a person's answer to a reminder."""
STATES = {
    "pending": N_("console.schedule.state.pending"), "sent": N_("console.schedule.state.sent"),
    "missed": N_("console.schedule.state.missed"),
    "cancelled": N_("console.schedule.state.cancelled"),
}  # fmt: skip
REASONS = {
    "passed": N_("console.schedule.reason.passed"),
    "no_safe_time": N_("console.schedule.reason.no_safe_time"),
    "consent": N_("console.schedule.reason.consent"),
}  # fmt: skip
"""Why a reminder was missed or cancelled; an unknown code is shown as it is."""
ERRORS = {
    code: N_(code)
    for code in (
        N_("console.schedule.error.date"), N_("console.schedule.error.time"),
        N_("console.schedule.error.past"), N_("console.schedule.error.place"),
        N_("console.schedule.error.note"), N_("console.schedule.error.title"),
        N_("console.schedule.error.rule"), N_("console.schedule.error.people"),
        N_("console.schedule.error.team"), N_("console.schedule.error.no_person"),
        N_("console.schedule.error.not_scheduled"), N_("console.schedule.error.not_saved"),
    )
}  # fmt: skip
"""Why a form was refused; each names the field and what to fix."""
DONE = {
    "visit": N_("console.schedule.done.visit"), "moved": N_("console.schedule.done.moved"),
    "cancelled": N_("console.schedule.done.cancelled"),
    "meeting": N_("console.schedule.done.meeting"),
}  # fmt: skip
