"""Key rotation end to end: a person keeps their place after `hotline db reencrypt`."""

from __future__ import annotations

from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.app import build_app, reencrypt_database
from bot.settings import Settings
from tests.support import FakeClock, Transcript

CHAT = "chat-zeta-rotate"


async def test_after_rotation_the_same_person_resumes_their_declaration(
    settings: Settings, clock: FakeClock
) -> None:
    app = await build_app(settings, clock)
    try:
        person = Transcript(app, chat=CHAT)
        await person.command("/start")
        await person.click("Tiếng Việt")
        await person.click("Khai báo")
        for _ in range(3):
            await person.click("Đồng ý")
        await person.click("Khai cho chính tôi")
        await person.send("Zeta Thị Xoay Khóa")
        first = person.contact_id
    finally:
        await app.close()

    old = settings.secret_key_list[0]
    new = Fernet.generate_key().decode()
    both = settings.model_copy(update={"secret_keys": SecretStr(f"{new},{old}")})
    assert await reencrypt_database(both) >= 3  # key, contact, state, consents…
    new_only = settings.model_copy(update={"secret_keys": SecretStr(new)})

    app = await build_app(new_only, clock)
    try:
        person = Transcript(app, chat=CHAT)
        await person.send("Zeta Tên Khác")  # other names: the declaration goes on where it was
        assert "Nữ" in person.labels
        assert person.contact_id == first, "found again by the same keyed hash"
    finally:
        await app.close()


def test_the_command_line_reencrypts(tmp_path) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    env = {"HOTLINE_VAR_DIR": str(tmp_path / "var"), "HOTLINE_DATABASE_URL": "",
           "HOTLINE_SECRET_KEYS": Fernet.generate_key().decode()}  # fmt: skip
    result = CliRunner().invoke(main, ["db", "reencrypt"], env=env)
    assert result.exit_code == 0, result.output
    assert "rows re-encrypted with the first key" in result.output
