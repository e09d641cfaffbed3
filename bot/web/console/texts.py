"""The console's words, as message ids: templates get them translated, never literal text."""

from __future__ import annotations

from dialogs.i18n import N_

TEXTS = {
    "brand": N_("console.brand"), "skip": N_("console.skip"), "nav": N_("console.nav"),
    "signed_in_as": N_("console.signed_in_as"), "logout": N_("console.logout"),
    "login_title": N_("console.login.title"), "username": N_("console.login.username"),
    "password": N_("console.login.password"), "login": N_("console.login.submit"),
    "login_failed": N_("console.login.failed"), "login_limited": N_("console.login.limited"),
    "inbox": N_("console.inbox"), "view_mine": N_("console.view.mine"),
    "view_unassigned": N_("console.view.unassigned"), "view_team": N_("console.view.team"),
    "view_all": N_("console.view.all"), "view_closed": N_("console.view.closed"),
    "no_cases": N_("console.no_cases"), "case": N_("console.case"),
    "priority": N_("console.priority"), "status": N_("console.status"),
    "team": N_("console.team"), "assignee": N_("console.assignee"),
    "waiting": N_("console.waiting"), "first_response": N_("console.first_response"),
    "nobody": N_("console.nobody"), "late": N_("console.late"), "live_new": N_("console.live_new"),
    "reload": N_("console.reload"), "history": N_("console.history"),
    "from_person": N_("console.from_person"), "from_caseworker": N_("console.from_caseworker"),
    "from_bot": N_("console.from_bot"), "delivery": N_("console.delivery"),
    "no_messages": N_("console.no_messages"), "voice": N_("console.voice"),
    "photo": N_("console.photo"), "file": N_("console.file"), "sticker": N_("console.sticker"),
    "download": N_("console.download"), "erased": N_("console.erased"),
    "reply": N_("console.reply"), "send": N_("console.send"), "notes": N_("console.notes"),
    "note": N_("console.note"), "add_note": N_("console.add_note"),
    "no_notes": N_("console.no_notes"), "declarations": N_("console.declarations"),
    "no_declarations": N_("console.no_declarations"), "pdf": N_("console.pdf"),
    "actions": N_("console.actions"), "claim": N_("console.claim"),
    "assign": N_("console.assign"), "assign_to": N_("console.assign_to"),
    "transfer": N_("console.transfer"), "to_team": N_("console.to_team"),
    "to_caseworker": N_("console.to_caseworker"), "transfer_note": N_("console.transfer_note"),
    "keep": N_("console.keep"), "close": N_("console.close"), "outcome": N_("console.outcome"),
    "reopen": N_("console.reopen"), "set_priority": N_("console.set_priority"),
    "save": N_("console.save"), "verify_code": N_("console.verify_code"),
    "verify_hint": N_("console.verify_hint"), "reason": N_("console.reason"),
    "opened": N_("console.opened"), "channel": N_("console.channel"),
    "done": N_("console.done"), "refused": N_("console.refused"),
    "not_found": N_("console.not_found"), "forbidden": N_("console.forbidden"),
    "back": N_("console.back"), "error_title": N_("console.error_title"),
    "empty_reply": N_("console.empty_reply"), "too_long": N_("console.too_long"),
}  # fmt: skip

PRIORITY = {
    "urgent": N_("console.priority.urgent"), "high": N_("console.priority.high"),
    "normal": N_("console.priority.normal"),
}  # fmt: skip
STATUS = {
    "waiting": N_("console.status.waiting"), "active": N_("console.status.active"),
    "waiting_person": N_("console.status.waiting_person"),
    "closed": N_("console.status.closed"), "erased": N_("console.status.erased"),
}  # fmt: skip
DELIVERY = {
    "queued": N_("console.delivery.queued"), "pending": N_("console.delivery.queued"),
    "sending": N_("console.delivery.sending"), "sent": N_("console.delivery.sent"),
    "failed": N_("console.delivery.failed"),
}  # fmt: skip
OUTCOMES = {
    "resolved": N_("console.outcome.resolved"), "referred": N_("console.outcome.referred"),
    "no_response": N_("console.outcome.no_response"), "declined": N_("console.outcome.declined"),
    "duplicate": N_("console.outcome.duplicate"), "other": N_("console.outcome.other"),
}  # fmt: skip
"""Outcomes a case may be closed with (bot.services.case_desk.OUTCOMES, in that order)."""
REFUSALS = {
    code: N_(code)
    for code in (
        N_("console.error.claimed_by_other"), N_("console.error.already_yours"),
        N_("console.error.transfer_to_whom"), N_("console.error.no_such_caseworker"),
        N_("console.error.no_such_team"), N_("console.error.empty_reply"),
        N_("console.error.reply_too_long"), N_("console.error.claim_first"),
        N_("console.error.bad_outcome"), N_("console.error.person_has_open_case"),
        N_("console.error.empty_note"), N_("console.error.bad_priority"),
        N_("console.error.person_erased"), N_("console.error.stale_form"),
        N_("console.error.case_closed"), N_("console.error.case_not_closed"),
        N_("console.error.unavailable"),
    )
}  # fmt: skip
"""The desk's refusals (ValueError(message id)), as the caseworker reads them."""
REASONS = {
    "danger": N_("console.reason.danger"), "requested": N_("console.reason.requested"),
    "not_understood": N_("console.reason.not_understood"), "voice": N_("console.reason.voice"),
}  # fmt: skip
"""Why a case was opened (handoff_requests.reason); an unknown code is shown as it is."""
