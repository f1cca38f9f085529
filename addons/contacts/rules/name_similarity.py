"""Names reduced to what duplicate detection compares, and how alike two are.

"华为技术有限公司", "华为技术（深圳）有限公司" and "ＨＵＡＷＥＩ Co., Ltd." differ
in what people type, not in whom they mean. A name key is the name with
width folded (NFKC: full-width letters, digits and brackets become their
half-width forms), case folded, punctuation and spaces removed and, for
companies, legal-form suffixes (有限公司, Co., Ltd., GmbH...) dropped.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

LIKELY_RATIO = 0.8  # SequenceMatcher ratio from which two keys are "likely" the same
MIN_CONTAINED = 4  # a key inside the other counts when at least this long

# legal forms, longest first so "股份有限公司" goes before "有限公司"
CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "株式会社",
                "集团公司", "分公司", "公司", "集团")
LATIN_SUFFIXES = {"co", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
                  "company", "gmbh", "ag", "kg", "llc", "llp", "plc", "sa", "sarl", "sas",
                  "srl", "spa", "bv", "nv", "ab", "oy", "as", "pte", "pty", "kk", "group"}
# mail services anyone can sign up to: sharing one says nothing about the employer
FREE_MAIL_DOMAINS = frozenset({
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn",
    "sohu.com", "aliyun.com", "139.com", "189.cn", "gmail.com", "googlemail.com",
    "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com", "yahoo.com.cn",
    "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "mail.ru",
    "yandex.ru", "proton.me", "protonmail.com"})

_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
_INITIAL_DOT = re.compile(r"\b(\w)\.")  # "S.A." -> "SA", so it reads as one suffix


def is_free_mail_domain(domain: str) -> bool:
    return domain.strip().lower() in FREE_MAIL_DOMAINS


def _strip_cjk_suffixes(text: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for suffix in CJK_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, stripped = text[:-len(suffix)], True
                break
    return text


def name_key(name: str | None, kind: str = "company") -> str:
    """The comparison key of a name; legal-form suffixes are dropped for companies."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _INITIAL_DOT.sub(r"\1", text)
    words = [w for w in _SEPARATORS.split(text) if w]
    if kind == "company":
        while len(words) > 1 and words[-1] in LATIN_SUFFIXES:
            words.pop()
        return _strip_cjk_suffixes("".join(words))
    return "".join(words)


def name_similarity(a_key: str, b_key: str) -> float:
    """0..1: how alike two name keys are (1.0 when equal)."""
    if not a_key or not b_key:
        return 0.0
    if a_key == b_key:
        return 1.0
    return SequenceMatcher(None, a_key, b_key, autojunk=False).ratio()


def is_likely(a_key: str, b_key: str) -> bool:
    """Equal, nearly equal, or one a long enough part of the other (华为 in 华为技术深圳)."""
    if not a_key or not b_key:
        return False
    shorter, longer = sorted((a_key, b_key), key=len)
    if len(shorter) >= MIN_CONTAINED and shorter in longer:
        return True
    return name_similarity(a_key, b_key) >= LIKELY_RATIO
