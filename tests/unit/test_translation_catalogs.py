"""The Chinese catalogs (core's and each addon's) are complete, consistent,
compiled, and current with the sources."""
from __future__ import annotations

import io
from dataclasses import dataclass
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "core" / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}  # see babel.cfg


@dataclass(frozen=True)
class Catalogs:
    """One translation domain: its template, zh catalog, and the sources it covers."""
    name: str
    folder: Path  # holds babel.cfg (core) or is the addon's i18n folder
    sources: Path  # where extraction starts (babel.cfg paths are relative to it)

    @property
    def pot(self) -> Path:
        return self.folder / "messages.pot"

    @property
    def zh_po(self) -> Path:
        return self.folder / "zh" / "LC_MESSAGES" / "messages.po"

    @property
    def zh_mo(self) -> Path:
        return self.folder / "zh" / "LC_MESSAGES" / "messages.mo"


CATALOGS = [Catalogs("core", TRANSLATIONS, ROOT)] + [
    Catalogs(cfg.parents[1].name, cfg.parent, cfg.parents[1])
    for cfg in sorted([*(ROOT / "addons").glob("*/i18n/babel.cfg"),
                       *(ROOT / "connectors").glob("*/i18n/babel.cfg")])]  # the hub's too
every_catalog = pytest.mark.parametrize("catalogs", CATALOGS, ids=lambda c: c.name)
MODULE_STATES = ("uninstalled", "installed", "disabled", "to upgrade", "broken",
                 "reload required", "missing")


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _key(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]  # plurals: (singular, plural)


def _ids(catalog) -> set[str]:
    return {_key(m.id) for m in catalog if m.id}


@every_catalog
def test_every_msgid_has_a_chinese_translation(catalogs):
    template, zh = _read(catalogs.pot), _read(catalogs.zh_po, "zh")
    assert _ids(template), "messages.pot is empty"
    untranslated = []
    for msgid in sorted(_ids(template)):
        message = zh.get(msgid)
        if message is None or not message.string or message.fuzzy:
            untranslated.append(msgid)
    assert untranslated == []
    assert _ids(zh) == _ids(template), "zh catalog has messages the template lacks"
    assert not zh.obsolete


@every_catalog
def test_translations_keep_their_placeholders(catalogs):
    errors = [(m.id, [str(e) for e in errs]) for m, errs in _read(catalogs.zh_po, "zh").check()]
    assert errors == []


@every_catalog
def test_committed_mo_matches_the_po(catalogs):
    compiled = io.BytesIO()
    write_mo(compiled, _read(catalogs.zh_po, "zh"))
    compiled.seek(0)
    expected = GNUTranslations(compiled)._catalog
    with catalogs.zh_mo.open("rb") as fh:
        committed = GNUTranslations(fh)._catalog
    assert _without_generator(committed) == _without_generator(expected)


def _without_generator(catalog: dict) -> dict:
    """The catalog with its header's "Generated-By: Babel x.y" line dropped:
    write_mo stamps the installed Babel's version, which is not the content."""
    header = "".join(line for line in catalog.get("", "").splitlines(keepends=True)
                     if not line.startswith("Generated-By:"))
    return {**catalog, "": header}


@every_catalog
def test_template_is_current_with_the_sources(catalogs):
    with (catalogs.folder / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {_key(msgid) for _file, _line, msgid, _comments, _context
             in extract_from_dir(str(catalogs.sources), method_map, options_map,
                                 keywords=KEYWORDS)}
    assert found == _ids(_read(catalogs.pot))


def test_contacts_catalog_is_covered():
    assert "contacts" in {c.name for c in CATALOGS}


def test_hub_catalog_is_covered():
    assert "hub" in {c.name for c in CATALOGS}


def test_module_states_are_extracted():
    assert set(MODULE_STATES) <= _ids(_read(POT))
