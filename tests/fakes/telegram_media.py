"""Users of the fake Telegram send voice notes, photos, files and stickers the bot can fetch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_state import Json, TelegramState, bad_request

DOWNLOAD_LIMIT = 20 * 1024**2
"""getFile refuses bigger files: a bot may fetch at most 20 MB."""
TOO_BIG = "file is too big"
INVALID_FILE_ID = "invalid file_id"


@dataclass
class UserFile:
    """A file a user sent: what getFile tells the bot, and the bytes behind its path.

    size is what the update and getFile announce; a test may set it apart from the bytes
    to stand for a file too big to send in a test.
    """

    file_id: str
    unique_id: str
    path: str
    data: bytes
    size: int

    def info(self) -> Json:
        """The File object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.unique_id,
            "file_size": self.size,
            "file_path": self.path,
        }


class MediaState(TelegramState):
    """The users' files: sent in updates, looked up by getFile, served by path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_files: dict[str, UserFile] = {}
        self.downloads: list[str] = []
        """Paths the bot fetched, oldest first."""

    def file_at(self, path: str) -> UserFile | None:
        """The file behind a download path, if any."""
        return next((f for f in self.user_files.values() if f.path == path), None)

    def _get_file(self, p: Json) -> Json:
        found = self.user_files.get(str(p.get("file_id") or ""))
        if found is None:
            raise bad_request(INVALID_FILE_ID)
        if found.size > DOWNLOAD_LIMIT:
            raise bad_request(TOO_BIG)
        return found.info()

    def _user_file(self, data: bytes, folder: str, ext: str, size: int | None) -> Json:
        """Keep the bytes and give the File fields an update carries (without a path)."""
        n = len(self.user_files)
        stored = UserFile(
            file_id=f"AgACAgIAAxkBAAI{n:06d}{folder[:4]}",
            unique_id=f"AQAD{n:06d}",
            path=f"{folder}/file_{n}.{ext}",
            data=data,
            size=len(data) if size is None else size,
        )
        self.user_files[stored.file_id] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.size,
        }

    def _sends(self, chat_id: int, caption: str | None, content: Json) -> Json:
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        if caption:
            content["caption"] = caption
        return self.queue_update({"message": self._user_message(chat, **content)})

    # Acting as users
    def user_sends_voice(
        self, chat_id: int, data: bytes, *, size: int | None = None, duration: int = 3,
        caption: str | None = None,
    ) -> Json:  # fmt: skip
        """A voice note (recorded in the app: Opus in Ogg)."""
        voice = {**self._user_file(data, "voice", "oga", size), "duration": duration}
        return self._sends(chat_id, caption, {"voice": {**voice, "mime_type": "audio/ogg"}})

    def user_sends_audio(
        self, chat_id: int, data: bytes, *, file_name: str = "song.mp3",
        mime_type: str = "audio/mpeg", size: int | None = None, caption: str | None = None,
    ) -> Json:  # fmt: skip
        """A music file, sent as audio rather than as a document."""
        audio = {**self._user_file(data, "music", "mp3", size), "duration": 60}
        audio.update(file_name=file_name, mime_type=mime_type)
        return self._sends(chat_id, caption, {"audio": audio})

    def user_sends_photo(
        self, chat_id: int, data: bytes, *, caption: str | None = None, size: int | None = None,
        smaller: Sequence[bytes] = (),
    ) -> Json:  # fmt: skip
        """A photo: Telegram sends each size it made, smallest first; data is the largest."""
        sizes = [self._user_file(small, "photos", "jpg", None) for small in smaller]
        sizes.append(self._user_file(data, "photos", "jpg", size))
        for i, photo in enumerate(sizes):
            side = 90 * 2 ** (i + 1)
            photo.update(width=side, height=side * 3 // 4)
        return self._sends(chat_id, caption, {"photo": sizes})

    def user_sends_document(
        self, chat_id: int, data: bytes, file_name: str, mime_type: str | None = None, *,
        size: int | None = None, caption: str | None = None,
    ) -> Json:  # fmt: skip
        """A file attached as a document (mime_type None: a type Telegram did not know)."""
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        document = {**self._user_file(data, "documents", ext, size), "file_name": file_name}
        if mime_type:
            document["mime_type"] = mime_type
        return self._sends(chat_id, caption, {"document": document})

    def user_sends_video(
        self, chat_id: int, data: bytes, *, size: int | None = None, caption: str | None = None,
        note: bool = False,
    ) -> Json:  # fmt: skip
        """A video, or with note a round video message (which has no caption)."""
        if note:
            video_note = {**self._user_file(data, "video_notes", "mp4", size), "length": 240}
            return self._sends(chat_id, None, {"video_note": {**video_note, "duration": 5}})
        video = {**self._user_file(data, "videos", "mp4", size), "duration": 5}
        video.update(width=640, height=360, mime_type="video/mp4", file_name="video.mp4")
        return self._sends(chat_id, caption, {"video": video})

    def user_sends_sticker(
        self, chat_id: int, data: bytes = b"RIFF\x00\x00\x00\x00WEBPVP8 ", emoji: str = "🙏", *,
        animated: bool = False, video: bool = False, size: int | None = None,
    ) -> Json:  # fmt: skip
        """A sticker: a static webp, or an animated (tgs) or video (webm) one."""
        ext = "tgs" if animated else "webm" if video else "webp"
        sticker = {**self._user_file(data, "stickers", ext, size), "type": "regular"}
        sticker.update(width=512, height=512, is_animated=animated, is_video=video)
        sticker.update(emoji=emoji, set_name="HotlineTestStickers")
        return self._sends(chat_id, None, {"sticker": sticker})
