"""The e-invoice remotes as hub backends, for tests that send through them
(test_einvoicing_demo.py in-process, test_einvoicing_killed_workers.py with
real worker processes): a backend for each of the three remote servers, and
one round of answers pulled back as the scheduler does."""
from __future__ import annotations

import json

from core.db import db


def save_backends(session, storecove, sdi, nuonuo) -> None:
    """Backends for the Storecove and Nuonuo doubles' servers (JsonHttpServer)
    and the SdI stand-in; the caller commits."""
    from connectors.hub.backends import save_backend

    save_backend(session, None, name="Storecove", kind="peppol_ap",
                 url=f"{storecove.url}/api/v2", secret=storecove.app.api_key,
                 options_json=json.dumps({"legal_entity_id": storecove.app.legal_entity_id}))
    save_backend(session, None, name="SdI", kind="sdi", url=sdi.url)
    save_backend(session, None, name="Nuonuo", kind="nuonuo",
                 url=f"{nuonuo.url}/open/v1/services", database="91310000MA1FL8XQ37",
                 username=nuonuo.app.app_key, secret=nuonuo.app.app_secret,
                 options_json=json.dumps({"token_url": f"{nuonuo.url}/accessToken"}))


def pull_answers(app, storecove) -> None:
    """The receiving side takes every file at the access point (the
    StorecoveDouble), then the access point's and Nuonuo's answers are pulled
    (`crossdock einvoicing pull`); SdI calls back by itself."""
    from addons.einvoicing.services.sending.channels_sending import SENDING
    from connectors import hub

    pulls = [a for c in SENDING.values() for a in c.answers if isinstance(a, hub.Pull)]
    storecove.deliver()
    with app.app_context():
        hub.pull_now(db.session, *pulls)  # commits what it read
        db.session.remove()
