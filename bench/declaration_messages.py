"""Messages per completed declaration: what a person waits for at Telegram's 1 message a second.

`python bench/declaration_messages.py` walks one whole self-declaration with the transcript
client (every question answered, two options ticked in each multi-choice) and prints how
many messages the bot sends, how many it edits in place, and the documents it attaches.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.app import App, build_app
from bot.settings import Settings
from tests.support import FakeClock, Transcript

Action = tuple[str, str]  # ("say", text) | ("press", label) | ("tick", label)

OPENING: list[Action] = [("say", "/start"), ("press", "Tiếng Việt")]
DECLARATION: list[Action] = [
    ("press", "Khai báo"),
    *[("press", "Đồng ý")] * 3,
    ("press", "Khai cho chính tôi"),
    ("say", "Nguyễn Thị Đếm Tin"),
    ("say", "Tin"),
    ("press", "Nữ"),
    ("say", "15/03/1998"),
    ("press", "Kinh"),
    ("press", "Việt Nam"),
    ("say", "0123 4567 8901"),
    ("say", "thôn Đông Hưng, xã Đại Hợp, huyện Kiến Thụy"),
    ("press", "Gọi điện thoại"),
    ("say", "0912 345 678"),
    ("press", "Buổi tối"),
    ("press", "Tiếng Việt"),
    ("press", "An toàn, làm tiếp"),
    ("say", "tháng 5/2019"),
    ("say", "bến xe Lào Cai"),
    ("tick", "Hứa hẹn việc làm"),
    ("tick", "Quen qua mạng"),
    ("press", "Xong"),
    ("say", "Quảng Tây, Trung Quốc"),
    ("tick", "Cưỡng bức lao động"),
    ("tick", "Cưỡng ép kết hôn"),
    ("press", "Xong"),
    ("say", "khoảng 3 năm"),
    ("say", "6/2022"),
    ("press", "Được giải thoát"),
    ("say", "cửa khẩu Móng Cái"),
    ("say", "Đồn Biên phòng (tên bịa để thử)"),
    ("tick", "Giấy tờ trao trả"),
    ("tick", "Giấy tờ nước ngoài"),
    ("press", "Xong"),
    *[("press", "Không")] * 4,
    ("tick", "Chỗ ở"),
    ("tick", "Hỗ trợ tâm lý"),
    ("press", "Xong"),
    ("say", "Muốn học nghề may"),
    ("press", "Hoàn tất và lưu"),
]

MISTAKES: dict[Action, Action] = {
    ("say", "15/03/1998"): ("say", "31/02/1998"),
    ("say", "0912 345 678"): ("say", "12345"),
    ("say", "0123 4567 8901"): ("say", "0123 4567"),
}
"""Typing slips, each made once just before the right answer: refused, then asked again."""
WITH_MISTAKES: list[Action] = [
    step
    for action in DECLARATION
    for step in ([MISTAKES[action]] if action in MISTAKES else []) + [action]
]


@dataclass
class Count:
    """What the bot sent in answer to some actions."""

    actions: int = 0
    messages: int = 0
    edits: int = 0
    documents: int = 0

    @property
    def seconds(self) -> int:
        """At about one message a second per chat, what a person waits in all."""
        return self.messages + self.edits + self.documents


async def act(chat: Transcript, action: Action, count: Count) -> None:
    """Do one action and count what it made the bot send."""
    kind, what = action
    if kind == "say":
        replies = await (chat.command(what) if what.startswith("/") else chat.send(what))
    else:
        replies = await chat.click(what)
        if kind == "tick":
            assert f"✓ {what}" in chat.labels, f"{what!r} was not ticked: {chat.labels}"
    edits = sum(1 for r in replies if getattr(r, "replaces", False))
    count.actions += 1
    count.edits += edits
    count.messages += len(replies) - edits
    count.documents += sum(1 for r in replies if r.document)


async def walk(
    app: App, actions: list[Action] = DECLARATION, chat_id: str = "counter"
) -> tuple[Count, Count]:
    """The opening (start, language) and then the whole declaration, counted apart."""
    chat = Transcript(app, chat=chat_id)
    opening, declaration = Count(), Count()
    for action in OPENING:
        await act(chat, action, opening)
    for action in actions:
        await act(chat, action, declaration)
    assert "HP-" in chat.text, f"not submitted: {chat.text[:300]!r}"
    return opening, declaration


async def main() -> None:
    """Walk once on a fresh database in a temporary folder and print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        key = SecretStr(Fernet.generate_key().decode())
        settings = Settings(var_dir=Path(folder), secret_keys=key, _env_file=None)  # type: ignore[call-arg]
        app = await build_app(settings, FakeClock())
        try:
            opening, declaration = await walk(app)
            _, slipped = await walk(app, WITH_MISTAKES, chat_id="slips")
        finally:
            await app.close()
    counted = (
        ("opening (/start, language)", opening),
        ("declaration", declaration),
        (f"declaration with {len(MISTAKES)} typing slips", slipped),
    )
    for name, c in counted:
        print(
            f"{name}: {c.actions} actions, {c.messages} messages sent, {c.edits} edited in "
            f"place, {c.documents} documents: about {c.seconds} s at 1 message/s per chat"
        )


if __name__ == "__main__":
    asyncio.run(main())
