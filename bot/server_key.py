"""The server's one secret, from which the keys of its parts are derived.

WIJKBRUG_SECRET_KEY (at least 32 characters) in production, the same for every process:
bot workers, action server, dashboard. Without it (the embedded `make run` default) a random
key is made once in var/secret.key (readable by its owner only) and shared by every process
that uses the same var/ folder.

Derived keys: "webchat" signs the web chat's conversation tokens, "rest" turns a REST
client's own sender into a conversation id, "actions" is the action server's shared secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

MIN_LENGTH = 32
ENV = "WIJKBRUG_SECRET_KEY"


class WeakKey(SystemExit):
    pass


def _from_file(path: Path) -> bytes:
    """Made once: written to a temporary file, then linked into place (atomic, and it fails
    when the key exists), so workers starting at the same moment all read the same key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    value = path.read_text().strip()
    if len(value) < MIN_LENGTH:
        raise WeakKey(f"{path} holds no usable key: remove it (a new one is made) or set {ENV}")
    return value.encode()


def master(var_dir: Path) -> bytes:
    value = os.environ.get(ENV, "")
    if value:
        if len(value) < MIN_LENGTH:
            raise WeakKey(f"{ENV} must be at least {MIN_LENGTH} characters (e.g. `python3 -c "
                          f"'import secrets; print(secrets.token_urlsafe(48))'`)")
        return value.encode()
    return _from_file(var_dir / "secret.key")


def derive(var_dir: Path, purpose: str) -> bytes:
    return hmac.new(master(var_dir), b"wijkbrug:" + purpose.encode(), hashlib.sha256).digest()


def action_server_token(var_dir: Path) -> str:
    """What the bot sends to the action server, and the action server requires."""
    return derive(var_dir, "actions").hex()
