"""Webhook acknowledgement time of the four social lead channels (issue 17),
on SQLite, through the Flask test client (no network, no proxy): for each
channel N deliveries, 10% of them repeated, each verified (WeChat and WeCom
in safe mode: signature, AES decrypt), stored raw by `hub.receive` and
committed, then answered. No worker runs: this times the answer the platform
waits for (target p95 < 50 ms; WeChat allows 5 s). Exactness: each channel
stores N - duplicates events.

    .venv/bin/python bench/social_webhooks.py                # N = 2000
    .venv/bin/python bench/social_webhooks.py --requests 200
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.social import wechat_xml  # noqa: E402
from connectors.social.signatures import sha1_of_sorted  # noqa: E402
from connectors.social.wechat_crypto import MessageCrypt  # noqa: E402

KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
APP_ID, CORP_ID, TOKEN, SECRET = "wx2c2769f8efd9abc2", "ww1436e0e65a779aee", "tok", "s3cret"


def _app(instance: Path):
    from core.app import create_app
    from core.config import Settings

    url = f"sqlite:///{instance / 'social.sqlite'}"
    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0, hub_embedded_threads=0))
    with app.app_context():
        from core.addons import lifecycle
        from core.db import db

        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["social_leads"])
    return app


def _backends(app) -> dict[str, int]:
    from connectors.hub.models import Backend
    from core.db import db

    rows = {
        "wechat": Backend(name="公众号", kind="wechat_official", url="https://api.weixin.qq.com",
                          username=APP_ID, secret=json.dumps(
                              {"token": TOKEN, "encoding_aes_key": KEY})),
        "wecom": Backend(name="企业微信", kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin",
                         username=CORP_ID, secret=json.dumps(
                             {"token": TOKEN, "encoding_aes_key": KEY, "secret": "x"})),
        "meta": Backend(name="Meta", kind="meta_leads", url="https://graph.facebook.com",
                        secret=json.dumps({"app_secret": SECRET, "verify_token": "v",
                                           "page_access_token": "p"})),
        "linkedin": Backend(name="LinkedIn", kind="linkedin_leads",
                            url="https://api.linkedin.com/rest",
                            secret=json.dumps({"client_secret": SECRET, "access_token": "a"}))}
    with app.app_context():
        db.session.add_all(rows.values())
        db.session.commit()
        return {name: row.id for name, row in rows.items()}


def _sealed(crypt: MessageCrypt, fields: dict, nonce: str) -> tuple[dict, str]:
    now = str(int(time.time()))
    encrypted, signature = crypt.seal(wechat_xml.document(fields), now, nonce)
    query = {"signature": sha1_of_sorted(TOKEN, now, nonce), "timestamp": now, "nonce": nonce,
             "encrypt_type": "aes", "msg_signature": signature}
    return query, wechat_xml.document({"ToUserName": "gh_bench", "Encrypt": encrypted})


def requests_for(channel: str, i: int) -> tuple[dict, dict, bytes]:
    """(query, headers, body) of delivery i."""
    now = int(time.time())
    if channel == "wechat":
        query, body = _sealed(MessageCrypt(TOKEN, KEY, APP_ID), {
            "ToUserName": "gh_bench", "FromUserName": f"oFan{i}", "CreateTime": now,
            "MsgType": "text", "Content": "你好", "MsgId": str(6054768590064713728 + i)}, str(i))
        return query, {}, body.encode()
    if channel == "wecom":
        query, body = _sealed(MessageCrypt(TOKEN, KEY, CORP_ID), {
            "ToUserName": CORP_ID, "FromUserName": "sys", "CreateTime": now, "MsgType": "event",
            "Event": "change_external_contact", "ChangeType": "add_external_contact",
            "UserID": "zhangsan", "ExternalUserID": f"wmEXT{i}"}, str(i))
        return query, {}, body.encode()
    if channel == "meta":
        body = json.dumps({"object": "page", "entry": [{"id": "444", "time": now, "changes": [
            {"field": "leadgen", "value": {"leadgen_id": str(90000 + i), "form_id": "F1",
                                           "page_id": "444", "created_time": now}}]}]}).encode()
        return {}, {"X-Hub-Signature-256": "sha256=" + hmac.new(
            SECRET.encode(), body, hashlib.sha256).hexdigest()}, body
    body = json.dumps({"type": "LEAD_ACTION", "leadGenFormResponse":
                       f"urn:li:leadGenFormResponse:r{i}", "leadGenForm":
                       "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1,1)",
                       "leadType": "SPONSORED", "leadAction": "CREATED",
                       "occurredAt": now * 1000}).encode()
    return {}, {"X-LI-Signature": hmac.new(SECRET.encode(), b"hmacsha256=" + body,
                                           hashlib.sha256).hexdigest()}, body


def bench(app, channel: str, backend_id: int, n: int) -> None:
    from sqlalchemy import func, select

    from connectors.hub.models import InboundEvent
    from core.db import db

    unique = n - n // 10
    deliveries = [requests_for(channel, i) for i in range(unique)]
    deliveries += deliveries[: n - unique]  # 10% delivered again, as the platforms retry
    client, url = app.test_client(), f"/social/{channel}/{backend_id}"
    times = []
    for query, headers, body in deliveries:
        started = time.perf_counter()
        answer = client.post(url, query_string=query, headers=headers, data=body)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (channel, answer.status_code, answer.data)
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(InboundEvent).where(
            InboundEvent.source == f"social.{'wechat_official' if channel == 'wechat' else channel}"))
        db.session.remove()
    assert stored == unique, (channel, stored, unique)
    cuts = statistics.quantiles(times, n=100)
    print(f"{channel:9} {n} deliveries ({n - unique} repeated): p50 {cuts[49]:.1f} ms, "
          f"p95 {cuts[94]:.1f} ms, max {max(times):.1f} ms; {stored} stored")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-social-"))
    try:
        app = _app(folder / "instance")
        for channel, backend_id in _backends(app).items():
            bench(app, channel, backend_id, args.requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
