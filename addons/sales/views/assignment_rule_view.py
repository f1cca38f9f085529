"""Assignment rules (自动分配规则): the rules with their members inline (a tab
on the rule's page), and the POST button "Assign unassigned leads now".

The round-robin pointer is shown, never edited: only
services/leads/lead_assignment.py moves it, under the rule's row lock.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from wtforms.validators import NumberRange, Optional

from core.db import db
from core.views.record_view import RecordView

from ..models.assignment_rule import AssignmentMember, AssignmentRule
from ..services.leads.lead_assignment import assign_unassigned

LABELS = {
    "name": _l("Name"), "sequence": _l("Sequence"), "active": _l("Active"),
    "source": _l("Source"), "region": _l("Region"), "tag": _l("Tag"),
    "min_score": _l("Minimum score"), "team": _l("Assign to team"),
    "pointer": _l("Next slot"), "members": _l("Members"), "rule": _l("Rule"),
    "user": _l("Salesperson"), "weight": _l("Weight"), "capacity": _l("Capacity"),
    "created_at": _l("Created at"),
}


class AssignmentMemberView(RecordView):
    datamodel = SQLAInterface(AssignmentMember)
    list_title = _l("Members")
    show_title, add_title, edit_title = _l("Member"), _l("Add member"), _l("Edit member")
    label_columns = LABELS
    list_columns = ["rule", "user", "weight", "capacity", "active"]
    add_columns = edit_columns = ["rule", "user", "weight", "capacity", "active"]
    show_columns = list_columns
    validators_columns = {"weight": [NumberRange(min=1)],
                          "capacity": [Optional(), NumberRange(min=0)]}
    description_columns = {
        "weight": _l("Leads per cycle, relative to the other members (1 or more)"),
        "capacity": _l("Skipped while owning this many open leads and opportunities "
                       "(empty: no limit)"),
    }


class AssignmentRuleView(RecordView):
    datamodel = SQLAInterface(AssignmentRule)
    list_title = _l("Assignment rules")
    show_title, add_title, edit_title = _l("Assignment rule"), _l("Add assignment rule"), _l("Edit assignment rule")
    list_template = "sales/assignment_rules_list.html"
    label_columns = LABELS
    list_columns = ["sequence", "name", "source", "region", "tag", "min_score", "team",
                    "active"]
    add_columns = edit_columns = ["name", "sequence", "active", "source", "region", "tag",
                                  "min_score", "team"]
    show_columns = [*add_columns, "pointer", "members", "created_at"]
    search_columns = ["name", "source", "region", "tag", "team", "active"]
    base_order = ("sequence", "asc")
    related_views = [AssignmentMemberView]
    validators_columns = {"sequence": [NumberRange(min=0)]}
    description_columns = {
        "source": _l("Empty: any source"), "region": _l("Empty: any region"),
        "tag": _l("Empty: any tags"), "min_score": _l("Empty: any score"),
        "team": _l("Empty: the lead keeps its team"),
    }

    @expose("/assign_now", methods=["POST"])
    @has_access
    @permission_name("assign_now")
    def assign_now(self):
        """Assign every open unassigned lead (CSRF checked by core's request guard)."""
        result = assign_unassigned(db.session)
        flash(gettext("%(assigned)d lead(s) assigned, %(left)d left unassigned.",
                      assigned=len(result.assigned), left=len(result.unassigned)),
              "success" if not result.unassigned else "warning")
        for reason in sorted({o.message for o in result.unassigned}):
            flash(gettext("Unassigned: %(why)s", why=reason), "warning")
        return redirect(url_for(f"{self.endpoint}.list"))
