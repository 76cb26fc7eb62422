"""A local HTTP server that plays the MAX Bot API, for the tests and ``bench_max_sync``.

Its answers are objects of the published OpenAPI schema (max-messenger-bot/max-bot-api-schemas,
``schema_2026_07_01.json``): ``Chat``, ``UpdateList``, ``SendMessageResult``, ``SimpleQueryResult``,
``GetSubscriptionsResult``, ``BotInfo`` and ``Error`` — the tests validate them against it. It
checks the ``Authorization`` header, records every request (time, method, path, query, headers)
and can be told to fail: answer 500 to the next N requests of a path, 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BOT_USER_ID = 900000001


def now_ms() -> int:
    return int(time.time() * 1000)


def user_body(user_id: int, name: str = "Иван Петров", *, is_bot: bool = False) -> dict:
    first, _, last = name.partition(" ")
    return {
        "user_id": user_id,
        "first_name": first,
        "last_name": last or None,
        "username": None,
        "is_bot": is_bot,
        "last_activity_time": now_ms(),
        "name": name,
    }


def chat_body(
    chat_id: int,
    *,
    title: str = "5А — родители",
    link: str | None = None,
    participants_count: int = 27,
    status: str = "active",
    owner_id: int | None = 700000001,
) -> dict:
    return {
        "chat_id": chat_id,
        "type": "chat",
        "status": status,
        "title": title,
        "icon": None,
        "last_event_time": now_ms(),
        "participants_count": participants_count,
        "owner_id": owner_id,
        "participants": None,
        "is_public": False,
        "link": link,
        "description": None,
        "messages_count": None,
    }


def error_body(code: str, message: str) -> dict:
    return {"error": code, "code": code, "message": message}


def update_body(update_type: str, *, chat_id: int, user_id: int = 700000001, **extra) -> dict:
    """An ``Update`` of the schema: bot_added, bot_removed, user_added, user_removed,
    chat_title_changed, bot_started (give ``payload``)."""
    body: dict = {
        "update_type": update_type,
        "timestamp": extra.pop("timestamp", now_ms()),
        "chat_id": chat_id,
        "user": user_body(user_id),
    }
    if update_type in ("bot_added", "bot_removed", "user_added", "user_removed"):
        body["is_channel"] = False
    if update_type == "chat_title_changed":
        body["title"] = extra.pop("title", "Новое название")
    if update_type == "bot_started":
        body["payload"] = extra.pop("payload", None)
        body["user_locale"] = "ru"
    body.update(extra)
    return body


@dataclass
class Seen:
    at: float
    method: str
    path: str
    query: dict
    headers: dict
    body: dict | None


@dataclass
class FakeMaxState:
    token: str
    chats: dict[int, dict] = field(default_factory=dict)
    updates: list[dict] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    subscriptions: list[dict] = field(default_factory=list)
    fail_next: Counter = field(default_factory=Counter)  # path prefix → 500s still to answer
    throttle_next: Counter = field(default_factory=Counter)  # path prefix → 429s still to answer
    retry_after: str = "1"
    delay: float = 0.0  # seconds to take over every answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    def per_second(self) -> Counter:
        """Requests that arrived in each whole second (by this server's clock)."""
        with self.lock:
            return Counter(int(seen.at) for seen in self.requests)

    def max_in_any_second(self) -> int:
        """The most requests that arrived within any one second (a sliding window)."""
        with self.lock:
            times = [seen.at for seen in self.requests]
        return most_within_a_second(times)


def _take(counter: Counter, path: str) -> bool:
    for prefix, left in counter.items():
        if left > 0 and path.startswith(prefix):
            counter[prefix] -= 1
            return True
    return False


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY a keep-alive client waits ~40 ms
    # for each answer's delayed ACK, and the server would look twenty times slower than it is.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # quiet: the tests read the state, not stderr
        pass

    def _answer(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        query, headers = parse_qs(parts.query), dict(self.headers)
        seen = Seen(time.time(), method, parts.path, query, headers, body)
        with state.lock:
            state.requests.append(seen)
            throttled = _take(state.throttle_next, parts.path)
            failing = not throttled and _take(state.fail_next, parts.path)
        if state.delay:
            time.sleep(state.delay)
        if self.headers.get("Authorization") != state.token:
            return self._answer(401, error_body("verify.token", "Invalid access_token"))
        if throttled:
            return self._answer(
                429,
                error_body("too.many.requests", "Too many requests"),
                {"Retry-After": state.retry_after},
            )
        if failing:
            return self._answer(500, error_body("internal", "Internal error"))
        route = getattr(self, f"_{method.lower()}_{parts.path.strip('/').split('/')[0]}", None)
        if route is None:
            return self._answer(404, error_body("not.found", f"Path {parts.path} not found"))
        route(parts, seen)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def _get_me(self, parts, seen):
        self._answer(
            200,
            {
                **user_body(BOT_USER_ID, "Портал гимназии", is_bot=True),
                "username": "gymnasium_portal_bot",
                "description": None,
                "commands": None,
            },
        )

    def _get_chats(self, parts, seen):
        state = self.server.state
        try:
            chat_id = int(parts.path.rstrip("/").rsplit("/", 1)[1])
        except (IndexError, ValueError):
            return self._answer(404, error_body("not.found", "Chats listing is not available"))
        with state.lock:
            chat = state.chats.get(chat_id)
        if chat is None:
            return self._answer(404, error_body("chat.not.found", f"Chat {chat_id} not found"))
        self._answer(200, {**chat, "last_event_time": now_ms()})

    def _get_updates(self, parts, seen):
        state = self.server.state
        with state.lock:
            updates, state.updates = state.updates, []
        self._answer(200, {"updates": updates, "marker": now_ms()})

    def _get_subscriptions(self, parts, seen):
        self._answer(200, {"subscriptions": list(self.server.state.subscriptions)})

    def _post_subscriptions(self, parts, seen):
        body = seen.body or {}
        with self.server.state.lock:
            self.server.state.subscriptions = [
                {
                    "url": body.get("url", ""),
                    "time": now_ms(),
                    "update_types": body.get("update_types"),
                }
            ]
        self._answer(200, {"success": True})

    def _delete_subscriptions(self, parts, seen):
        with self.server.state.lock:
            self.server.state.subscriptions = []
        self._answer(200, {"success": True})

    def _post_messages(self, parts, seen):
        state = self.server.state
        user_id = int((seen.query.get("user_id") or ["0"])[0])
        text = (seen.body or {}).get("text")
        with state.lock:
            state.sent.append({"user_id": user_id, "text": text})
            seq = len(state.sent)
        self._answer(
            200,
            {
                "message": {
                    "sender": user_body(BOT_USER_ID, "Портал гимназии", is_bot=True),
                    "recipient": {"chat_id": None, "chat_type": "chat", "user_id": user_id},
                    "timestamp": now_ms(),
                    "link": None,
                    "body": {
                        "mid": f"mid.{seq}",
                        "seq": seq,
                        "text": text,
                        "attachments": None,
                        "markup": None,
                        "link": None,
                    },
                    "stat": None,
                    "url": None,
                }
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FakeMaxState

    def handle_error(self, request, client_address):
        # A client that timed out and hung up (the time-out tests do) is not an error here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeMax:
    """``with FakeMax(token) as fake:`` — a server on 127.0.0.1 at ``fake.url``."""

    def __init__(self, token: str):
        self.state = FakeMaxState(token=token)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeMax:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def _serve_in_child(token: str, chats: dict[int, dict], conn) -> None:
    fake = FakeMax(token)
    fake.state.chats.update(chats)
    with fake:
        conn.send(fake.url)
        conn.recv()  # the parent says stop
        with fake.state.lock:
            conn.send([seen.at for seen in fake.state.requests])
    conn.close()


class FakeMaxProcess:
    """The same server in a process of its own (``bench_max_sync``): the process being measured
    cannot hold up the server's clock (the GIL, a busy thread), so the arrival times it records are
    those of the requests, not of a server waiting for its turn to run."""

    def __init__(self, token: str, chats: dict[int, dict]):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve_in_child, args=(token, chats, child), daemon=True
        )
        self.arrivals: list[float] = []
        self.url = ""

    def __enter__(self) -> FakeMaxProcess:
        self._process.start()
        self.url = self._conn.recv()
        return self

    def __exit__(self, *exc) -> None:
        self._conn.send("stop")
        self.arrivals = sorted(self._conn.recv())
        self._process.join(10)


def most_within_a_second(times: list[float]) -> int:
    """The most of ``times`` (seconds) within any one second (a sliding window)."""
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best
