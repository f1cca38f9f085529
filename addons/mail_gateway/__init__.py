"""The mail gateway (邮件网关), what Odoo's `mail` module is to its addons:
any addon sends a mail about one of its records with
`services.send_mail(session, OutgoingMail(...), record=(model, id))` (queued
with its change, sent by the hub, retried, failed with the server's words,
bounces marked), renders it from its own templates per language
(`services.render`), and receives mail by adding a route to
`services.mail_routes` (an alias, a predicate, replies to its records).
Accounts are the hub's `mail` backends (Integration > Backends); their
folders are polled every minute (services/polling.py), and at once when an
IMAP server announces a mail (IDLE, services/idle_watch.py). The protocols
are in connectors/mail."""
from flask_babel import lazy_gettext as _l

from connectors import hub
from core.views.screen_slots import Action

from .services.idle_watch import IDLE_WATCH
from .services.inbound import MAIL_INBOUND
from .services.polling import POLL
from .services.sending import register_with_hub
from .views.mail_views import IncomingMailView, MailFolderView, OutgoingMailView

CATEGORY = "Mail"


def register(addon):
    register_with_hub()  # outgoing mails: the send push
    hub.register(MAIL_INBOUND, POLL)  # every minute: each mail account's folders, stored raw
    hub.register(IDLE_WATCH)  # and at once when an IMAP server announces a mail
    addon.view(OutgoingMailView, "OutgoingMails", label=_l("Outgoing mails"),
               icon="fa-paper-plane", category=CATEGORY, category_label=_l("Mail"),
               category_icon="fa-envelope")
    addon.view(IncomingMailView, "IncomingMails", label=_l("Incoming mails"), icon="fa-inbox",
               category=CATEGORY)
    addon.view(MailFolderView, "Mailboxes", label=_l("Mailboxes"), icon="fa-server",
               category=CATEGORY)  # each account's last poll and error
    # a failed mail sent again (POST; the same Message-ID, so the same message)
    addon.extend_screen(OutgoingMailView, Action(_l("Retry"), "OutgoingMailView.retry",
                                                 icon="fa-repeat", post=True))
