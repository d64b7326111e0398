"""Documents users send, downloaded in a stream that stops at a size limit.

The size a document declares comes from the client that sent it. A file that declares 1 KB and
holds 50 MB must not be read into memory whole: the download counts what actually arrives and
stops one chunk past the limit.
"""

from __future__ import annotations

import httpx
from telegram import Document

TIMEOUT_S = 60.0


class TooLarge(Exception):
    """The document holds more than the limit (whatever size it declared)."""


async def download(document: Document, limit: int) -> bytes:
    """The document's bytes; raises TooLarge past `limit` bytes, declared or received."""
    if document.file_size and document.file_size > limit:
        raise TooLarge
    file = await document.get_file()
    url = file.file_path or ""
    if not url.startswith(("http://", "https://")):  # a local Bot API server hands a path
        data = bytes(await file.download_as_bytearray())
        if len(data) > limit:
            raise TooLarge
        return data
    received = bytearray()
    async with (
        httpx.AsyncClient(timeout=TIMEOUT_S) as client,
        client.stream("GET", url) as response,
    ):
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            received += chunk
            if len(received) > limit:
                raise TooLarge
    return bytes(received)
