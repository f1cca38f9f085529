"""A lead form's answers to lead fields (addons/social_leads/channels/
field_mapping.py): Meta's standard names without settings, a form's own
mapping over them, the rest kept as asked, a wrong target refused by name."""
from __future__ import annotations

import pytest

from addons.social_leads.channels.field_mapping import META_DEFAULTS, form_mapping, lead_values
from connectors.errors import PermanentError


def test_answers_become_lead_fields_and_the_rest_is_kept():
    options = {"forms": {"F1": {"budget": "message", "city": "country"}}}
    mapping = form_mapping(options, "F1", META_DEFAULTS)
    values, extra = lead_values(mapping, {
        "first_name": "Ann", "last_name": "Smith", "work_email": "ann@example.com",
        "budget": "50k", "country": "gb", "city": "", "job_title": "CTO", "industry": "SaaS"})
    assert values == {"name": "Ann Smith", "email": "ann@example.com", "message": "50k",
                      "country_code": "GB"}
    assert extra == {"job_title": "CTO", "industry": "SaaS"}
    assert form_mapping(options, "F2", META_DEFAULTS) == META_DEFAULTS  # a form not listed
    assert lead_values({"9": "country"}, {"9": "中国"}) == ({}, {"country": "中国"})


def test_a_target_that_is_no_lead_field_is_refused_by_name():
    with pytest.raises(PermanentError, match=r"form F1: question 'budget' maps to 'budgett', "
                                             r"not a lead field \(name, company"):
        form_mapping({"forms": {"F1": {"budget": "budgett"}}}, "F1", META_DEFAULTS)
