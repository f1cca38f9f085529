"""Mail at the protocol level: SMTP out, IMAP in, and the rules of both.

Outgoing: `outgoing.OutgoingMail` -> `composing.compose` (a stable Message-ID
from our reference, threading headers, a VERP bounce address) ->
`smtp_client.SmtpClient.send`. Incoming: `imap_mailbox.ImapMailbox.poll`
(UIDVALIDITY and last UID as the caller's state) -> `parsing.parse` ->
`incoming.IncomingMail` with its classification (`classification.py`:
auto-submitted, bounce). `backends.py`: an account (IMAP + SMTP) as the
hub's backend kind `mail`. Knows nothing of our models; remote trouble is
raised as `connectors.errors.TransientError` / `PermanentError` with the
server's own words.
"""
