"""Mail of contacts (glue of contacts and mail_gateway, installed with both):
the mails a person sent or was sent, raw mails and attachments included, in
their personal data export and erasure (contacts' extension point)."""
from addons.contacts.services.personal_data.provider import personal_data

from .services.mail_personal_data import PROVIDER


def register(addon):
    personal_data.add(addon.name, PROVIDER)
