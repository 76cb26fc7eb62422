from __future__ import annotations

import json

from .conftest import SECRET


def post_update(client, update, *, secret: str | None = SECRET, raw: bytes | None = None):
    headers = {} if secret is None else {"HTTP_X_MAX_BOT_API_SECRET": secret}
    body = raw if raw is not None else json.dumps(update, ensure_ascii=False).encode()
    return client.post("/max/webhook/", data=body, content_type="application/json", **headers)
