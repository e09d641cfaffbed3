"""`hotline chat` as a new user runs it: a fresh folder, nothing configured."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import signal
import stat
import subprocess
import sys
import time
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
    assert "WARNING" not in out, "the log is not printed over the conversation"
    log = (tmp_path / "var" / "hotline.log").read_text()
    assert "Generated a new encryption key in var/secret.key" in log


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
    out = run_chat(tmp_path, [], "--lang", "en")
    assert out.startswith("This service gives information"), "English from the first screen"
    assert "Mời bạn" not in out and "Tiếng Việt" not in out
    assert "[1] Make a declaration" in out


def test_lang_flag_changes_a_returning_persons_language(tmp_path: Path) -> None:
    run_chat(tmp_path, ["1"])  # chose Tiếng Việt, stored
    out = run_chat(tmp_path, [], "--lang", "en")
    assert "[1] Make a declaration" in out and "Khai báo" not in out
    again = run_chat(tmp_path, [])
    assert "[1] Make a declaration" in again, "the new choice is kept"


def test_the_terminal_prints_the_engines_numbers_and_how_to_give_a_location(
    tmp_path: Path,
) -> None:
    out = run_chat(tmp_path, ["1", "2", "20.86, 106.68", "6"])
    assert "📍 Gửi vị trí của tôi: gõ tọa độ (vĩ độ, kinh độ), ví dụ: 20.71, 106.71" in out
    assert "Nơi hỗ trợ gần bạn nhất" in out, "typed coordinates are a shared location"
    assert "[6] Xem thêm" in out, "buttons are numbered after the places"
    assert "\n6. " in out, "typing 6 showed the next places"


def chat_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}


def test_after_erase_the_output_says_what_happened(tmp_path: Path) -> None:
    out = run_chat(tmp_path, ["1", "xóa", "1"])
    erased = out[out.index("Đã xóa xong.") :]
    assert "Những dòng đã in ra ở trên không tự mất đi" in erased
    assert "bấm và giữ" not in out, "no advice for a phone app that is not there"


class Terminal:
    """`python -m bot chat` in a pseudo-terminal, as a person at a keyboard runs it."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the chat
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "bot", "chat", *args], chat_env())
        self.seen, self.cursor = b"", 0

    def read_until(self, wanted: bytes, timeout: float = 120) -> bytes:
        """Everything printed from the last match until `wanted`, which it ends with."""
        start, deadline = self.cursor, time.monotonic() + timeout
        while wanted not in self.seen[start:]:
            left = deadline - time.monotonic()
            assert left > 0, f"{wanted!r} not shown; got {self.seen[start:][-500:]!r}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:  # the child closed the terminal
                    break
        self.cursor = self.seen.index(wanted, start) + len(wanted)
        return self.seen[start : self.cursor]

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def status(self, timeout: float = 10) -> int | None:
        """The exit status, if the process ends within timeout seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            with contextlib.suppress(OSError):
                if select.select([self.fd], [], [], 0.1)[0]:
                    self.seen += os.read(self.fd, 65536)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return None


def test_in_a_terminal_erase_clears_the_screen_and_ctrl_c_leaves_at_once(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    term.read_until(b"[2] English")
    term.read_until(b"> ")
    term.type("2")
    term.read_until(b"Erase my data")
    term.read_until(b"> ")
    term.type("erase")
    term.read_until(b"> ")
    term.type("1")
    shown = term.read_until(b"> ")
    assert shown.index(b"\x1b[2J") < shown.index(b"Done: everything is erased.")
    assert b"This screen has been cleared too." in shown
    started = time.monotonic()
    os.kill(term.pid, signal.SIGINT)  # what Ctrl-C sends, while the chat waits for a line
    assert term.status() == 0
    assert time.monotonic() - started < 5
    assert b"Traceback" not in term.seen


def test_ctrl_c_with_input_from_a_pipe_leaves_at_once(tmp_path: Path) -> None:
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=tmp_path, env=chat_env(),
    )  # fmt: skip
    assert chat.stdout is not None
    lines = iter(chat.stdout.readline, b"")
    assert any(b"[2] English" in line for line in lines), "the greeting is printed at once"
    chat.send_signal(signal.SIGINT)
    _out, err = chat.communicate(timeout=10)
    assert chat.returncode == 0
    assert b"Traceback" not in err
