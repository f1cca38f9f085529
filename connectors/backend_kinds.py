"""Every kind of backend the hub knows (Integration > Backends), by family:
ERPs and finance systems (connectors/erp), e-invoice platforms
(connectors/einvoice), mail accounts (connectors/mail) and social lead
platforms (connectors/social). `make_client`
builds the protocol client a backend row describes. An addon picks the backends of its family by kind
(`hub.active_backends(session, ERP_KINDS)`)."""
from __future__ import annotations

from connectors import erp as erp_kinds
from connectors.einvoice import backends as einvoice_kinds
from connectors.mail import backends as mail_kinds
from connectors.social import backends as social_kinds

ERP_KINDS, EINVOICE_KINDS, MAIL_KINDS = erp_kinds.KINDS, einvoice_kinds.KINDS, mail_kinds.KINDS
SOCIAL_KINDS = social_kinds.KINDS
IMAP_KINDS = mail_kinds.IMAP_KINDS  # the kinds whose URL is an IMAP server, not https
KINDS = ERP_KINDS + EINVOICE_KINDS + MAIL_KINDS + SOCIAL_KINDS


def make_client(kind: str, url: str, database: str, username: str, secret: str,
                options: dict):
    family = (einvoice_kinds if kind in EINVOICE_KINDS
              else mail_kinds if kind in MAIL_KINDS
              else social_kinds if kind in SOCIAL_KINDS else erp_kinds)
    return family.make_client(kind, url, database, username, secret, options)
