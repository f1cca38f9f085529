"""What a contacts search term looks for (rules/search_terms.py): 1-2
characters are word beginnings found as one trigram, longer terms substrings;
index keys sort like names."""
from __future__ import annotations

import pytest

from addons.contacts.rules.search_terms import (Match, document, fts_query, key_group,
                                               match_for, sort_key)


@pytest.mark.parametrize("typed, match", [
    ("", None),
    ("  ", None),
    ("m", Match("word_starts", "  m", True)),
    ("Ma", Match("word_starts", " ma", True)),
    ("王", Match("word_starts", "  王", True)),
    ("王芳", Match("word_starts", " 王芳", True)),
    ("𠀀", Match("word_starts", "  𠀀", True)),
    ("8", Match("word_starts", "  8", True)),
    ("+8", Match("word_starts", "  8", True)),  # an E.164 number is a word of digits
    ("%", Match("haystack", "%", False)),       # no word starts with it: literal, scanned
    ("a_", Match("haystack", "a_", False)),
    ("王a", Match("haystack", "王a", False)),
    ("smith", Match("haystack", "smith", True)),
    ("Anna  Maria", Match("haystack", "anna maria", True)),
    ("138 0013", Match("haystack", "1380013", True)),
    ("+86 138", Match("haystack", "+86138", True)),
])
def test_what_a_term_looks_for(typed, match):
    assert match_for(typed) == match


def test_word_starts_hold_every_word_beginning_and_cjk_pairs():
    doc = document("Anna  Maria 王芳芳", ["a.li@163.com"], ["+8613800138000"])
    assert doc["haystack"].split("\n")[0] == "anna maria 王芳芳"  # whitespace collapsed
    starts = doc["word_starts"].split("  ")[1:]
    assert {"a", "an", "m", "ma", "王", "芳", "王芳", "芳芳", "l", "li", "1", "16", "c", "co",
            "8", "86", "13", "0", "01"} == set(starts)
    for needle in ("  m", " ma", "  王", " 芳芳"):
        assert needle in doc["word_starts"]
    for needle in ("  r", " ri", " ar", " 芳王"):  # inside words, not a pair
        assert needle not in doc["word_starts"]
    assert "  " not in doc["haystack"]  # so "  x" is found in word_starts only


def test_a_short_needle_is_one_trigram_a_long_one_all_of_its():
    assert fts_query("  m") == '"  m"'
    assert fts_query('a"bcd') == '"a""b" AND """bc" AND "bcd"'


def test_keys_sort_like_names_by_groups_of_five_bytes():
    names = ["", "A", "Abroad", "Broad Co 1", "Broad Co 0", "anna", "王芳", "王芳芳", "𠀀"]
    keys = {name: sort_key(name, n + 1) for n, name in enumerate(names)}
    ordered = sorted(names, key=keys.get)
    assert [key_group(keys[n]) for n in ordered] == sorted(key_group(keys[n]) for n in names)
    for a, b in zip(ordered, ordered[1:]):  # in order, unless the first 5 bytes are equal
        assert a <= b or a.encode()[:5] == b.encode()[:5]
    assert key_group(keys["Broad Co 1"]) == key_group(keys["Broad Co 0"])
    assert sort_key("x", 2**23 + 5) != sort_key("x", 2**23 + 6)
