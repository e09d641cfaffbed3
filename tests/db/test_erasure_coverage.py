"""Erasure stays complete as tables grow: each link to a person is erased or kept on purpose."""

from __future__ import annotations

from db.erasure import _OWNED, KEPT
from db.models import Base


def _pointing_at_contacts() -> set[str]:
    return {
        table.name
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "contacts"
    }


def test_every_foreign_key_to_contacts_is_erased_or_kept_with_a_reason() -> None:
    owned = {model.__tablename__ for model in _OWNED}
    missing = _pointing_at_contacts() - owned - set(KEPT)
    assert not missing, f"erase_contact neither deletes nor keeps: {sorted(missing)}"
    assert not owned & set(KEPT), "a table cannot be both deleted and kept"
    assert all(len(reason) > 40 for reason in KEPT.values()), "say why it is kept"


def test_the_lists_name_only_tables_that_point_at_contacts() -> None:
    stale = ({m.__tablename__ for m in _OWNED} | set(KEPT)) - _pointing_at_contacts()
    assert not stale, f"no longer linked to contacts: {sorted(stale)}"


def test_audit_rows_are_short_codes_without_links() -> None:
    audit = Base.metadata.tables["audit_log"]
    text_columns = {c.name: c.type.length for c in audit.columns if hasattr(c.type, "length")}
    assert text_columns == {"actor": 64, "action": 32, "detail": 200, "address": 64}
    assert not audit.foreign_keys, "no link to a person, a case or an account that could change"
