"""Social lead channels at the protocol level: verifying what the platforms
send, reading it into neutral dataclasses, and the few API calls that fetch
what a notification only points to.

- `wechat_official.py`: 微信公众号 (server URL check, plaintext and safe mode,
  follow/scan/text messages, passive replies, dedupe keys; with the
  AppSecret, the follower's unionid through `user/info`);
- `wecom.py`: 企业微信 external contacts (encrypted callback, change events,
  `externalcontact/get`);
- `wechat_api.py`: the access token both Tencent APIs use, cached and renewed
  once when stale, and their errcodes as transient or permanent errors;
- `wechat_crypto.py` + `wechat_xml.py`: the message crypto and flat XML both
  share (Tencent's WXBizMsgCrypt scheme);
- `meta_leads.py`: Meta Lead Ads (GET verification, `X-Hub-Signature-256`,
  leadgen changes, Graph API lead fetch and backfill);
- `linkedin_leads.py`: LinkedIn Lead Sync (challenge, `X-LI-Signature`,
  lead notifications, `leadFormResponses`);
- `signatures.py`: constant-time compares, HMAC and the replay window.

Knows nothing of our models. A request that fails verification raises
`signatures.RequestRefused` (the caller answers 403 and logs it); remote
trouble is `connectors.errors.TransientError` / `PermanentError` with the
platform's own words.
"""
