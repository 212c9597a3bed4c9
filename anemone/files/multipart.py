"""Seeing the multipart file parts that Django drops silently.

Django's MultiPartParser skips a file part whose file name is empty, or becomes empty once sanitised
(``/``, ``.``, ``..``), with no error: an upload of such a file "succeeded" with nothing stored. The
parser offers no hook for it, so ``NamelessParts`` wraps the body stream it reads and inspects each
part's headers as they stream by (the bytes themselves are passed through untouched, never buffered
beyond one header block).
"""

from __future__ import annotations

import html
from typing import Any

from django.utils.http import parse_header_parameters

MAX_HEADER_BLOCK = 16 * 1024


def dropped_by_django(file_name: str) -> bool:
    """The same test as Django's MultiPartParser.sanitize_file_name returning nothing (Django 5.2)."""
    if not file_name:
        return True
    name = html.unescape(file_name).rsplit("/")[-1].rsplit("\\")[-1]
    name = "".join(char for char in name if char.isprintable())
    return name in {"", ".", ".."}


class NamelessParts:
    """A read-through wrapper of a multipart body counting the file parts Django will drop (``dropped``)."""

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self._stream = stream
        self._delimiter = b"--" + boundary
        self._pending = b""
        self.dropped = 0

    @classmethod
    def for_media_type(cls, stream: Any, media_type: str) -> NamelessParts | None:
        boundary = parse_header_parameters(media_type)[1].get("boundary", "")
        if stream is None or not boundary:
            return None
        return cls(stream, boundary.encode("ascii", "ignore"))

    def read(self, *args: Any) -> bytes:
        chunk = self._stream.read(*args)
        self._scan(chunk)
        return chunk

    def _scan(self, chunk: bytes) -> None:
        data = self._pending + chunk
        start = 0
        while True:
            at = data.find(self._delimiter, start)
            if at < 0:  # keep a tail: a delimiter may be cut between two reads
                self._pending = data[max(start, len(data) - len(self._delimiter)):]
                return
            end = data.find(b"\r\n\r\n", at)
            if end < 0:
                self._pending = data[at:at + MAX_HEADER_BLOCK]
                return
            self._inspect(data[at + len(self._delimiter):end])
            start = end + 4

    def _inspect(self, headers: bytes) -> None:
        for line in headers.decode("utf-8", "replace").split("\r\n"):
            name, _sep, value = line.partition(":")
            if name.strip().lower() != "content-disposition":
                continue
            params = parse_header_parameters(value)[1]
            if "filename" in params and dropped_by_django(params["filename"]):
                self.dropped += 1
