"""A Babel extractor for flow and content YAML, so `pybabel extract` sees their message ids."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

import yaml

MESSAGE_KEYS = frozenset(
    {"title", "prompt", "label", "hint", "body", "intro", "stop_message", "message"}
)


def _walk(node: yaml.Node) -> Iterator[tuple[int, str]]:
    """Every (line, value) under a message key, depth first.

    A message key may hold one id, or a mapping of ids (a prompt worded per person).
    """
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            message = isinstance(key, yaml.ScalarNode) and key.value in MESSAGE_KEYS
            if message and isinstance(value, yaml.ScalarNode):
                yield value.start_mark.line + 1, value.value
            elif message and isinstance(value, yaml.MappingNode):
                for _, worded in value.value:
                    if isinstance(worded, yaml.ScalarNode):
                        yield worded.start_mark.line + 1, worded.value
            else:
                yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)


def extract_yaml(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Sequence[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method: yields (line, function, message, comments)."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        for line, msgid in _walk(root):
            yield line, None, msgid, []
