"""The Chinese catalog is complete, consistent, compiled, and current with the sources."""
from __future__ import annotations

import io
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "core" / "translations"
POT = TRANSLATIONS / "messages.pot"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
ZH_MO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}  # see babel.cfg
MODULE_STATES = ("uninstalled", "installed", "disabled", "to upgrade", "broken",
                 "reload required")


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _key(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]  # plurals: (singular, plural)


def _ids(catalog) -> set[str]:
    return {_key(m.id) for m in catalog if m.id}


def test_every_msgid_has_a_chinese_translation():
    template, zh = _read(POT), _read(ZH_PO, "zh")
    assert _ids(template), "messages.pot is empty"
    untranslated = []
    for msgid in sorted(_ids(template)):
        message = zh.get(msgid)
        if message is None or not message.string or message.fuzzy:
            untranslated.append(msgid)
    assert untranslated == []
    assert _ids(zh) == _ids(template), "zh catalog has messages the template lacks"
    assert not zh.obsolete


def test_translations_keep_their_placeholders():
    errors = [(m.id, [str(e) for e in errs]) for m, errs in _read(ZH_PO, "zh").check()]
    assert errors == []


def test_committed_mo_matches_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, _read(ZH_PO, "zh"))
    compiled.seek(0)
    expected = GNUTranslations(compiled)._catalog
    with ZH_MO.open("rb") as fh:
        committed = GNUTranslations(fh)._catalog
    assert committed == expected


def test_template_is_current_with_the_sources():
    with (TRANSLATIONS / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {_key(msgid) for _file, _line, msgid, _comments, _context
             in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)}
    assert found == _ids(_read(POT))


def test_module_states_are_extracted():
    assert set(MODULE_STATES) <= _ids(_read(POT))
