"""`crossdock einvoicing pull`: the remotes' answers now (access points,
fapiao providers), not at the scheduler's next round; SdI calls us instead."""
from __future__ import annotations

import click

from connectors import hub

from .channels_sending import SENDING


@click.command("pull")
def pull_command() -> None:
    """Read every sent e-invoice's state at its access point or provider now."""
    from core.db import db

    pulls = [a for channel in SENDING.values() for a in channel.answers
             if isinstance(a, hub.Pull)]
    changed = hub.pull_now(db.session, *pulls)
    db.session.commit()
    if not changed:
        click.echo("no active backend with e-invoices waiting for an answer")
    for backend, count in sorted(changed.items()):
        click.echo(f"{backend}: {count} e-invoices moved")
