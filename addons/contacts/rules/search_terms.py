"""What the contacts search index holds for a contact, and what a search term
looks for in it: pure functions of text, below the models (the index itself
is written by services/search/index.py and read by services/search/matching.py).

A contact's index row (`document`): its `name`, a `haystack` (the name
lower-cased, the normalised e-mails, each phone in E.164 and in national
digits, one per line) and `word_starts` (the first one and two characters of
every word of the haystack, and its CJK unigrams and bigrams, each after two
spaces: "  m  ma  s  sm  1  13  王  王芳"), keyed by `sort_key` (the name's first
5 bytes, then the id: key order is name order, give or take names sharing those
bytes).

What a term matches (`match_for`): whitespace is collapsed and case folded;
a phone-like term with 3 digits or more keeps only digits and "+". A term of
3 characters or more is a substring of the haystack. A term of 1 or 2
letters or digits is the beginning of a word ("m" finds Maria, Anna Miller,
m.li@163.com; "13" a national number starting 13) or, in Chinese, Japanese
or Korean, a character or pair of characters anywhere ("王", "王芳", "小明"):
the index finds either as the one trigram "  m" / " ma" in word_starts. A
1-2 character term with other characters ("%", "a_", "@") is a literal
substring of the haystack, which no index answers (scanned).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

MIN_TRIGRAM = 3

# kana, CJK ideographs (extension A, the basic block, compatibility, and the
# supplementary planes' extensions B-H: 𠀀), hangul
CJK = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
       "\U00020000-\U0003134f")
CJK_RUN = re.compile(f"[{CJK}]+")
WORD = re.compile(f"[^\\W_{CJK}]+")  # letters and digits outside CJK runs
WORD_START = "  "  # before every entry of word_starts: never in a haystack
# "8000", "138 0013", "+86 138", "(010) 6552-9988": compared as digits (and +)
PHONE_LIKE = re.compile(r"\+?[\d\s\-().]+")
NOT_PHONE_CHAR = re.compile(r"[^\d+]")


# --- what is indexed ------------------------------------------------------

@lru_cache(maxsize=512)
def _country(digits: str) -> tuple[int, str] | None:
    """(length of the country code, national prefix) for an E.164 number's digits."""
    for size in (1, 2, 3):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]))
        if regions:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(regions[0])
            return size, (meta.national_prefix if meta and meta.national_prefix else "")
    return None


def phone_forms(e164: str) -> list[str]:
    """+861065529988 -> ["+861065529988", "1065529988", "01065529988"]: what people type."""
    digits = e164.lstrip("+")
    found = _country(digits[:3]) if digits else None
    if not found:
        return [e164]
    size, trunk = found
    national = digits[size:]
    return [e164, national] + ([trunk + national] if trunk else [])


def word_starts(haystack: str) -> str:
    """"  m  ma  王  王芳": the first one and two characters of the words of
    `haystack` and its CJK unigrams and bigrams, each after WORD_START."""
    starts: dict[str, None] = {}
    for run in CJK_RUN.findall(haystack):
        for i, char in enumerate(run):
            starts[char] = None
            if i + 1 < len(run):
                starts[run[i:i + 2]] = None
    for word in WORD.findall(haystack):
        starts[word[:1]] = None
        starts[word[:2]] = None
    return "".join(WORD_START + start for start in starts)


KEY_PREFIX_BYTES = 5
KEY_ID_BITS = 63 - 8 * KEY_PREFIX_BYTES  # 23: ids below 8,388,608 never collide


def sort_key(name: str, contact_id: int) -> int:
    """The index row's key: the name's first 5 bytes (UTF-8, the order of
    SQLite's BINARY and of a "C" collation), then the contact id. Two names in
    order have keys in order unless they share those 5 bytes."""
    prefix = int.from_bytes((name or "").encode()[:KEY_PREFIX_BYTES]
                            .ljust(KEY_PREFIX_BYTES, b"\0"), "big")
    return prefix << KEY_ID_BITS | contact_id & ((1 << KEY_ID_BITS) - 1)


def key_group(key: int) -> int:
    """The name prefix of a key: keys of one group are in no particular order."""
    return key >> KEY_ID_BITS


def document(name: str, emails: Iterable[str], phones_e164: Iterable[str]) -> dict:
    """The index row of a contact: name, haystack and word_starts."""
    lines = [" ".join((name or "").lower().split()), *(e.lower() for e in emails)]
    for e164 in phones_e164:
        lines.extend(phone_forms(e164))
    haystack = "\n".join(lines)
    return {"name": name or "", "haystack": haystack, "word_starts": word_starts(haystack)}



# --- what a term looks for -------------------------------------------------

@dataclass(frozen=True)
class Match:
    """What a term looks for: `needle` inside the side table's `column`;
    `indexed` when the trigram index can find the candidates."""

    column: str  # "haystack" or "word_starts"
    needle: str
    indexed: bool


def match_for(text: str) -> Match | None:
    """What `text` matches (see the module docstring), None when empty."""
    term = " ".join((text or "").split()).lower()
    if not term:
        return None
    if PHONE_LIKE.fullmatch(term) and sum(c.isdigit() for c in term) >= MIN_TRIGRAM:
        term = NOT_PHONE_CHAR.sub("", term)
    if len(term) >= MIN_TRIGRAM:
        return Match("haystack", term, True)
    if len(term) == 2 and term[0] == "+" and term[1].isdigit():
        term = term[1:]  # "+8": the start of an E.164 number, which is a word of digits
    if WORD.fullmatch(term) or CJK_RUN.fullmatch(term):
        # one trigram: "  m" is a word starting with m, " ma" one starting with ma
        return Match("word_starts", (WORD_START + term)[-MIN_TRIGRAM:], True)
    return Match("haystack", term, False)



def fts_query(needle: str) -> str:
    """An FTS5 query for rows whose text has every trigram of `needle`: a
    superset of the rows containing it (detail=none keeps no positions), exact
    for a needle of 3 characters."""
    grams = dict.fromkeys(needle[i:i + MIN_TRIGRAM] for i in range(len(needle) - 2))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
