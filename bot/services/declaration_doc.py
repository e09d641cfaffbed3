"""What the printed declaration says: the answers laid out as a commune office expects them."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from vietnamadminunits.database import query

from bot.services.declaration_pdf import PrintableDeclaration, Rows
from bot.services.directory.gazetteer import PROVINCES
from dialogs.i18n import N_, Translator
from dialogs.schema import Flow
from dialogs.summary import display, kept_answers

OFFICIAL = "vi"
"""The office reads Vietnamese: this copy is the one to file; others are reading copies."""
UNIT_WORDS = ("Phường", "Xã", "Đặc khu", "Thị trấn")
TITLES = {"self": N_("pdf.subtitle.self"), "relative": N_("pdf.subtitle.relative")}
SIGNERS = {"self": N_("pdf.signer.self"), "relative": N_("pdf.signer.relative")}


@functools.cache
def province_name(code: str) -> str:
    """The province as a date line names it, e.g. "Hải Phòng" for our code "HP"."""
    new_code = PROVINCES[code][0]
    rows = query(f"SELECT provinceShort FROM admin_units WHERE provinceCode = '{new_code}' LIMIT 1")
    return str(rows[0]["provinceShort"])


def commune(answers: Mapping[str, Any], running_text: bool) -> str | None:
    """The person's new (2025) commune; in Vietnamese running text "phường Thành Đông"."""
    address = answers.get("address")
    ward = str(address.get("ward") or "") if isinstance(address, dict) else ""
    if not ward:
        return None
    for word in UNIT_WORDS if running_text else ():
        if ward.startswith(word + " "):
            return word.lower() + ward[len(word) :]
    return ward


def _date(day: date, t: Translator) -> str:
    """The date as documents write it: "ngày 3 tháng 12 năm 2026", "3 December 2026"."""
    return str(format_date(day, t("pdf.date_pattern"), locale=t.lang))


def rows_by_section(
    flow: Flow, answers: Mapping[str, Any], ctx: Mapping[str, Any], t: Translator
) -> list[tuple[str, Rows]]:
    """Every kept question under its section; a skipped one is left blank to fill in by hand."""
    kept = kept_answers(flow, answers, ctx)
    out: list[tuple[str, Rows]] = []
    for section in flow.sections:
        rows = [
            (t(s.label), "" if kept[s.id] is None else display(s, kept[s.id], t))
            for s in flow.steps
            if s.section == section.id and s.id in kept
        ]
        if rows:
            out.append((t(section.title), rows))
    return out


def printable(
    flow: Flow,
    t: Translator,
    ref: str,
    answers: Mapping[str, Any],
    created: datetime,
    place: str,
) -> PrintableDeclaration:
    """The declaration in t's language; created is already in the person's timezone."""
    who = "relative" if answers.get("declarant") == "relative" else "self"
    where = commune(answers, running_text=t.lang == OFFICIAL)
    day = created.date()
    return PrintableDeclaration(
        lang=t.lang,
        nation=t("pdf.nation"),
        motto=t("pdf.motto"),
        title=t("pdf.title"),
        subtitle=t(TITLES[who]),
        ref_line=t("pdf.ref_line", ref=ref),
        addressee=t("pdf.addressee", commune=where) if where else t("pdf.addressee_blank"),
        sections=rows_by_section(flow, answers, {"today": day}, t),
        place_date=t("pdf.place_date", place=place, date=_date(day, t)),
        signer=t(SIGNERS[who]),
        sign_hint=t("pdf.sign_hint"),
        ref=ref,
        page_label=t("pdf.page"),
        doc_title=t(flow.title),
        created=created,
        banner="" if t.lang == OFFICIAL else t("pdf.reading_copy"),
    )
