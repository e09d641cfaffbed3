"""Standard input line by line on the event loop, so that Ctrl-C and end of input end at once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

PROMPT = "> "


class Keyboard:
    """Lines from standard input, read on the event loop: Ctrl-C or end of input ends at once.

    A thread blocked in input() would hold the process until Enter is pressed.
    """

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.pending = b""
        self.loop = asyncio.get_running_loop()
        self.fd = sys.stdin.fileno()
        try:
            self.loop.add_reader(self.fd, self._readable)
            self.watched = True
        except (OSError, ValueError, NotImplementedError):  # a regular file cannot be watched
            self.watched = False
        self.loop.add_signal_handler(signal.SIGINT, self.stop)

    def _readable(self) -> None:
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            if self.pending:
                self.queue.put_nowait(self.pending.decode(errors="replace"))
            return self.stop()
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            self.queue.put_nowait(line.rstrip(b"\r").decode(errors="replace"))

    def stop(self) -> None:
        """No more lines (end of input, or Ctrl-C)."""
        if self.watched:
            self.loop.remove_reader(self.fd)
            self.watched = False
        self.queue.put_nowait(None)

    async def line(self) -> str | None:
        """The next line, or None when the person has left."""
        sys.stdout.write(PROMPT)
        sys.stdout.flush()
        if not self.watched and self.queue.empty():
            line = await asyncio.to_thread(sys.stdin.readline)
            return line.rstrip("\n") if line else None
        return await self.queue.get()

    def close(self) -> None:
        """Give Ctrl-C back to Python."""
        if self.watched:
            self.loop.remove_reader(self.fd)
        self.loop.remove_signal_handler(signal.SIGINT)
