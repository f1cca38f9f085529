"""Who may configure which pipeline: a Sales Manager the stages of the teams
they belong to, an Admin every pipeline including the default one (no team).
Stages have no owner, so the record rules cannot say this; the stage screen
and any other writer call `check_may_configure` before saving."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy.orm import Session

from core.security.actor import current_actor
from core.security.record_rules import ADMIN_ROLE
# the record rules' refusal: noted on the request, so core answers 403 even
# where FAB's views swallow the exception (pre_add/pre_update flash any error)
from core.security.record_rules import _refuse as refuse
from core.security.teams import user_team_ids

from ...models import Stage


def check_may_configure(session: Session, stage: Stage, team_id: int | None) -> None:
    """Raise AccessDenied (core.security.record_rules) unless the actor may configure the pipeline of `team_id`."""
    actor = current_actor()
    if actor.is_system or ADMIN_ROLE in actor.roles:
        return
    if team_id is None:
        raise refuse(gettext("stage '%(stage)s': only an administrator changes the default "
                             "pipeline (give the stage a sales team)", stage=stage.name))
    if actor.user_id is None or team_id not in user_team_ids(session, actor.user_id):
        raise refuse(gettext("stage '%(stage)s': you may only change the pipeline of "
                             "your own sales team", stage=stage.name))
