"""Name keys and similarity used by duplicate detection (rules/name_similarity.py)."""
from __future__ import annotations

import pytest

from addons.contacts.rules.name_similarity import (
    is_free_mail_domain, is_likely, name_key, name_similarity,
)


@pytest.mark.parametrize("typed, key", [
    ("华为技术有限公司", "华为技术"),
    ("华为技术股份有限公司", "华为技术"),
    ("华为技术（深圳）有限公司", "华为技术深圳"),  # full-width brackets folded, then dropped
    ("ＨＵＡＷＥＩ Co., Ltd.", "huawei"),  # full-width letters folded to ASCII
    ("Huawei Co.,Ltd", "huawei"),
    ("Bücher GmbH", "bücher"),
    ("Nestlé S.A.", "nestlé"),
    ("  ACME   Inc. ", "acme"),
    ("Acme-Widgets, LLC", "acmewidgets"),
    ("公司", "公司"),  # a suffix alone is the whole name, not nothing
    ("GmbH", "gmbh"),
])
def test_company_name_keys(typed, key):
    assert name_key(typed, "company") == key


def test_person_names_keep_every_word_but_fold_width_case_and_spacing():
    assert name_key("Li  Lei", "person") == name_key("ｌｉ lei", "person") == "lilei"
    assert name_key("李 雷", "person") == "李雷"
    # "Co" is a surname here, not a legal form
    assert name_key("Anna Co", "person") == "annaco"


def test_similarity_scores():
    assert name_similarity("huawei", "huawei") == 1.0
    assert name_similarity("", "huawei") == 0.0
    assert 0.8 <= name_similarity("huawei", "huawey") < 1.0
    assert name_similarity("acme", "zenith") < 0.3


@pytest.mark.parametrize("a, b, likely", [
    ("华为技术有限公司", "华为技术（深圳）有限公司", True),   # one contains the other
    ("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES", True),
    ("Huawei Technologies", "Huawei Technologys", True),      # a typo
    ("华为", "华为技术", False),                               # too short to say
    ("Acme", "Apex", False),
    ("李雷", "李蕾", False),
])
def test_likely_pairs(a, b, likely):
    assert is_likely(name_key(a), name_key(b)) is likely


def test_free_mail_domains():
    assert is_free_mail_domain("qq.com") and is_free_mail_domain(" Gmail.com ")
    assert is_free_mail_domain("163.com")
    assert not is_free_mail_domain("huawei.com")
