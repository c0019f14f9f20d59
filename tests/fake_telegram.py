"""A local fake of the Telegram Bot API, over real HTTP, for tests.

python-telegram-bot talks to it exactly as to api.telegram.org (TELEGRAM_BASE_URL points
here). It records every method call and serves queued updates to getUpdates.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

MAX_TEXT_LENGTH = 4096  # Telegram's limit for a message text

BOT_USER = {
    "id": 777000111,
    "is_bot": True,
    "first_name": "wijkbrug",
    "username": "wijkbrug_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[tuple[str, dict]] = []
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._lock = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = fake._parse(self.headers.get("Content-Type", ""), body)
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    return self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                method = self.path[len(prefix):]
                if len(str(params.get("text", ""))) > MAX_TEXT_LENGTH:  # as Telegram refuses it
                    return self._reply(400, {"ok": False, "error_code": 400,
                                             "description": "Bad Request: message is too long"})
                self._reply(200, {"ok": True, "result": fake._answer(method, params)})

            do_GET = do_POST

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeTelegram:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def _parse(content_type: str, body: str) -> dict:
        if "json" in content_type:
            return json.loads(body or "{}")
        params = {k: v[0] for k, v in parse_qs(body).items()}
        for key, value in params.items():
            if value[:1] in "{[":
                params[key] = json.loads(value)
        return params

    def _answer(self, method: str, params: dict):
        with self._lock:
            if method != "getUpdates":
                self.calls.append((method, params))
                self._lock.notify_all()
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._take_updates(params)
        if method in ("sendMessage", "editMessageText"):
            message_id = int(params["message_id"]) if method == "editMessageText" else next(self._message_ids)
            params["sent_message_id"] = message_id  # what the bot got back (kept in self.calls)
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        return True  # deleteWebhook, answerCallbackQuery, setMyCommands, ...

    def _take_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        with self._lock:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    self._updates = ready
                    return ready
                self._lock.wait(deadline - time.monotonic())

    # What a test does: send as a user, wait for the bot's calls.

    def user_says(self, chat_id: int, text: str, first_name: str = "Resident") -> None:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": {"id": chat_id, "is_bot": False, "first_name": first_name},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._push({"message": message})

    def user_sends(self, chat_id: int, kind: str) -> None:
        """A voice note, photo, sticker, document, location or contact instead of text."""
        content = {
            "voice": {"voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3}},
            "photo": {"photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}]},
            "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "s1", "width": 512, "height": 512,
                                    "is_animated": False, "is_video": False, "type": "regular"}},
            "document": {"document": {"file_id": "d1", "file_unique_id": "d1", "file_name": "brief.pdf"}},
            "location": {"location": {"latitude": 52.08, "longitude": 5.10}},
            "contact": {"contact": {"phone_number": "+31612345678", "first_name": "Buur"}},
        }[kind]
        self._push({"message": {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Resident"},
            **content,
        }})

    def user_taps(self, chat_id: int, data: str, message_id: int = 1) -> None:
        self._push(
            {
                "callback_query": {
                    "id": str(next(self._message_ids)),
                    "from": {"id": chat_id, "is_bot": False, "first_name": "Resident"},
                    "chat_instance": "1",
                    "data": data,
                    "message": {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "text": "...",
                    },
                }
            }
        )

    def _push(self, update: dict) -> None:
        with self._lock:
            self._updates.append({"update_id": next(self._update_ids), **update})
            self._lock.notify_all()

    def sent_to(self, chat_id: int) -> list[dict]:
        """Every sendMessage and editMessageText to a chat so far, in order."""
        with self._lock:
            return [p for m, p in self.calls
                    if m in ("sendMessage", "editMessageText") and int(p.get("chat_id", 0)) == chat_id]

    def wait_for(self, method: str, chat_id: int | None = None, count: int = 1, seconds: float = 60):
        """The first `count` calls of `method` (to `chat_id`), waiting for them to arrive."""
        deadline = time.monotonic() + seconds
        with self._lock:
            while True:
                found = [
                    p
                    for m, p in self.calls
                    if m == method and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)
                ]
                if len(found) >= count:
                    return found[:count]
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no {count}x {method} within {seconds} s: {self.calls}")
                self._lock.wait(deadline - time.monotonic())


def exchange(telegram: FakeTelegram, chat: int, action, *args, replies: int = 1) -> list[dict]:
    """Does something as a user and returns the bot's next `replies` messages to that chat."""
    before = len(telegram.sent_to(chat))
    action(chat, *args)
    deadline = time.monotonic() + 60
    while len(telegram.sent_to(chat)) < before + replies:
        assert time.monotonic() < deadline, telegram.sent_to(chat)[before:]
        time.sleep(0.05)
    return telegram.sent_to(chat)[before:before + replies]
