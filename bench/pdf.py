"""Declaration PDF: CPU time per PDF of the renderer against the one it replaced.

    python bench/pdf.py [--runs 40] [--baseline-commit 371f935]

The baseline is bot/services/declaration_pdf.py as it was at --baseline-commit (read with
`git show`, imported from a temporary folder, fonts from this checkout): it parsed both fonts
on every PDF and laid the form out twice to learn the page total. Both render the same
invented declaration (36 answers, a third of them skipped) from the same rows. They are timed
alternately, PDF by PDF, so a noisy machine slows both alike; CPU time is process time.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.fernet import Fernet, MultiFernet

from bot.services import pdf_fonts
from bot.services.declaration_doc import printable, province_name
from bot.services.declaration_pdf import render_declaration_pdf
from db.crypto import configure_cipher, get_cipher
from dialogs.content import Content

ROOT = Path(__file__).resolve().parents[1]
REF = "HP-7KQ4-2M"
CREATED = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
ANSWERS: dict[str, object] = {
    "consent_record": True, "consent_share": True, "consent_contact": False,
    "declarant": "relative", "relationship": "parent", "returnee_consents": "yes",
    "full_name": "Nguyễn Thị Băng Ghế Thử", "other_names": None, "sex": "female",
    "dob": {"y": 1995, "m": 3, "d": 15}, "ethnicity": None, "nationality": "Việt Nam",
    "id_number": None, "contact_method": "this_chat", "safe_hours": "evening", "language": "vi",
    "address": {"typed": "thôn Đông Hưng, xã Đại Hợp, huyện Kiến Thụy", "ward_code": "0",
                "ward": "Xã Kiến Hải", "province": "Thành phố Hải Phòng"},
    "recruited_when": {"unknown": True}, "recruited_where": "bến xe (tên bịa để thử)",
    "recruited_how": ["job_offer", "online"], "destination": None, "exploitation": ["labour"],
    "duration": "khoảng 3 năm", "return_date": None, "return_how": "rescued",
    "border_gate": None, "receiving_agency": None, "papers": ["none"], "injuries": False,
    "pregnant": None, "children_with": False, "threats": False, "needs": ["shelter", "job"],
    "other_needs": "Muốn học nghề may để tự nuôi con; cần hỏi thêm về vay vốn (nội dung thử).",
}  # fmt: skip


def baseline_module(commit: str) -> ModuleType:
    """The old renderer, imported from a temporary copy of its file at commit."""
    source = subprocess.run(
        ["git", "show", f"{commit}:bot/services/declaration_pdf.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="pdf-baseline-"))
    path = folder / "old_declaration_pdf.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_declaration_pdf", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.FONT_DIR = pdf_fonts.FONT_DIR  # type: ignore[attr-defined]
    return module


def seal_and_open(data: bytes) -> bytes:
    """What keeping a copy costs on top of rendering it: encrypt, then decrypt to send."""
    return get_cipher().decrypt(get_cipher().encrypt(data))


def cpu_ms(fn: Callable[[], object]) -> float:
    """Process CPU time of one call, in milliseconds."""
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def main() -> None:
    """Time both renderers and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--baseline-commit", default="371f935")
    args = parser.parse_args()

    configure_cipher(MultiFernet([Fernet(Fernet.generate_key())]))
    content = Content.load()
    t = content.catalogs.translator("vi")
    new_doc = printable(content.declaration, t, REF, ANSWERS, CREATED, province_name("HP"))
    english = printable(
        content.declaration, content.catalogs.translator("en"), REF, ANSWERS, CREATED, "Hải Phòng"
    )
    old = baseline_module(args.baseline_commit)
    old_doc = old.PrintableDeclaration(
        lang="vi", title=new_doc.title, ref_label="Mã bản khai", ref=REF,
        generated="Lập lúc: 09:00 03/12/2026",
        sections=[(title, [(k, v or "(bỏ qua)") for k, v in rows])
                  for title, rows in new_doc.sections],
        notes=["Bước tiếp theo: mang bản khai này đến Ủy ban nhân dân xã.", "Đường dây nóng 111"],
        signature_lines=["……………, ngày …… tháng …… năm ……", "Người khai (ký, ghi rõ họ tên)"],
        page_label="Trang {page}/{pages}",
    )  # fmt: skip

    first_new = cpu_ms(lambda: render_declaration_pdf(new_doc))  # cuts and parses the fonts
    cpu_ms(lambda: old.render_declaration_pdf(old_doc))
    olds, news, readings, seals = [], [], [], []
    data = b""
    for _ in range(args.runs):
        olds.append(cpu_ms(lambda: old.render_declaration_pdf(old_doc)))
        news.append(cpu_ms(lambda: render_declaration_pdf(new_doc)))
        readings.append(cpu_ms(lambda: render_declaration_pdf(english)))
        data = render_declaration_pdf(new_doc)
        seals.append(cpu_ms(functools.partial(seal_and_open, data)))

    before, after = statistics.median(olds), statistics.median(news)
    print(f"declaration PDF, CPU ms per PDF, median of {args.runs} (alternating)")
    print(f"  before (baseline {args.baseline_commit}): {before:7.1f}")
    print(f"  after, office copy (vi):          {after:7.1f}")
    print(f"  after, reading copy (en):         {statistics.median(readings):7.1f}")
    print(f"  first PDF in a process (fonts):   {first_new:7.1f}")
    print(f"  encrypt + decrypt the kept copy:  {statistics.median(seals):7.1f}")
    print(f"  ratio before/after: {before / after:.1f}x   ({len(data):,} bytes, "
          f"{len(old.render_declaration_pdf(old_doc)):,} before)")  # fmt: skip


if __name__ == "__main__":
    main()
