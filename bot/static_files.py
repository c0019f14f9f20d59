"""Static files served by name from a fixed list: the files in the folder at start-up.

No path is ever joined from what the client sent, so "..", "%00" and other odd paths simply
name no file (404) instead of reaching the file system (Sanic's own static handler answered
"/webchat/%00" with a 500). Every file goes out with nosniff, so a browser never runs one
as something it is not.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request

HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}


def register(app: Sanic, prefix: str, folder: Path, name: str) -> None:
    files = {path.name: path for path in folder.iterdir() if path.is_file()}

    async def serve(_request: Request, filename: str):
        path = files.get(filename)
        if path is None:
            raise NotFound("no such file")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        return response.raw(path.read_bytes(), content_type=content_type, headers=HEADERS)

    app.add_route(serve, f"{prefix.rstrip('/')}/<filename:str>", methods=["GET", "HEAD"], name=name)
