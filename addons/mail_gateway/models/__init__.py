from .outgoing_mail import MailAttachment, OutgoingMailRecord  # noqa: F401
from .incoming_mail import IncomingMailRecord  # noqa: F401
from .mail_folder import MailFolder  # noqa: F401
