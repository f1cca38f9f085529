"""Who reads which touches: those of the leads the reader may read (sales'
Lead rules: a salesperson their own, a manager their team's, Read-only
all). Identities, web forms and consents have no row rules: their access
rows say who reads them at all; a person's identities show on the person's
page, which the contacts rules guard."""
from core.security.rule_expressions import RecordRule

from ..models import LeadTouch


def _readable_lead(actor):
    return LeadTouch.lead.has()


RULES = [RecordRule(LeadTouch, role, read=_readable_lead, write="none")
         for role in ("Salesperson", "Sales Manager", "Read-only")]
