"""`hotline chat` as a new user runs it: a fresh folder, nothing configured."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path


def run_chat(cwd: Path, lines: list[str], *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    hotline = shutil.which("hotline")
    command = [hotline] if hotline else [sys.executable, "-m", "bot"]
    done = subprocess.run(
        [*command, "chat", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stdout + done.stderr


def test_a_new_user_reaches_the_declaration(tmp_path: Path) -> None:
    out = run_chat(tmp_path, ["1", "1"])
    assert "[1] Tiếng Việt" in out
    assert "[1] Khai báo" in out
    assert "Phần 1/6" in out and "[1] Đồng ý" in out
    key = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "secret.key" in out, "a warning says a key was generated"


def test_the_terminal_resumes_and_prints_the_pdf_path(tmp_path: Path) -> None:
    run_chat(tmp_path, ["1", "1", "1", "1", "1", "1", "Hoàng Thị Dòng Lệnh"])
    out = run_chat(tmp_path, ["1"])
    assert "Làm tiếp" in out
    answers = ["1"] + ["bỏ qua"] * 45 + ["Hoàn tất và lưu"]
    out = run_chat(tmp_path, answers)
    pdf = next(line for line in out.splitlines() if line.startswith("PDF: "))
    path = Path(pdf.removeprefix("PDF: "))
    assert path.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_english_with_lang_flag(tmp_path: Path) -> None:
    out = run_chat(tmp_path, ["2"], "--lang", "en")
    assert "Hello" in out
    assert "[1] Make a declaration" in out


def test_the_terminal_prints_the_engines_numbers_and_how_to_give_a_location(
    tmp_path: Path,
) -> None:
    out = run_chat(tmp_path, ["1", "2", "20.86, 106.68", "6"])
    assert "📍 Gửi vị trí của tôi: gõ tọa độ (vĩ độ, kinh độ), ví dụ: 20.71, 106.71" in out
    assert "Nơi hỗ trợ gần bạn nhất" in out, "typed coordinates are a shared location"
    assert "[6] Xem thêm" in out, "buttons are numbered after the places"
    assert "\n6. " in out, "typing 6 showed the next places"
