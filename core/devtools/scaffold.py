"""`crossdock addons new NAME`: a working addon to start from.

The files come from `addon_template/` (package data; `{{name}}`-style
placeholders in file names and contents, `.py-tpl` so nothing there is
imported or collected as a test): manifest, one model with `owner_id` and
`team_id` (so record rules apply), a CRUD screen, a REST API, the access and
record-rule CSVs, the first migration on the addon's own Alembic branch
(`depends_on` the head revisions of the addons it depends on), a zh catalog
(.po and its compiled .mo) and a test run by the `crossdock` pytest plugin.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import keyword
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ..addons.discovery import AddonSource, discover, migration_dirs
from ..addons.manifest import MANIFEST_FILE

TEMPLATE_DIR = Path(__file__).resolve().parent / "addon_template"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class ScaffoldError(ValueError):
    """The addon cannot be made; the message says why."""


def model_class_name(name: str) -> str:
    """`visits` -> `Visit`, `service_tickets` -> `ServiceTicket` (last word made singular)."""
    words = name.split("_")
    if words[-1].endswith("s") and not words[-1].endswith("ss") and len(words[-1]) > 1:
        words[-1] = words[-1][:-1]
    return "".join(w.capitalize() for w in words if w)


def _snake(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def check_name(name: str, sources: dict[str, AddonSource], target: Path) -> None:
    """Refuse a name that is no identifier or that clashes with an addon or a package."""
    if not _NAME.match(name) or keyword.iskeyword(name):
        raise ScaffoldError(f"'{name}' is not a valid addon name: lower case letters, digits "
                            "and underscores, starting with a letter, not a Python keyword")
    if name in sources:
        raise ScaffoldError(f"an addon named '{name}' exists already: {sources[name].path}")
    if (target / name).exists():
        raise ScaffoldError(f"{target / name} exists already")
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is not None:
        where = spec.origin or next(iter(spec.submodule_search_locations or []), "?")
        raise ScaffoldError(f"'{name}' is the name of an importable package ({where}): "
                            "the addon would shadow it or be shadowed; choose another name")


def dependency_heads(depends: list[str], sources: dict[str, AddonSource]) -> list[str]:
    """The head revisions of the branches of `depends` (their migrations must run first)."""
    from alembic.script import ScriptDirectory

    from ..migrate import alembic_config

    missing = [d for d in depends if d not in sources or sources[d].manifest is None]
    if missing:
        raise ScaffoldError(f"cannot depend on {', '.join(missing)}: no such addon "
                            "(or its manifest is invalid; see 'crossdock addons list')")
    with_branch = [d for d in depends if sources[d].migrations_dir]
    if not with_branch:
        return []
    script = ScriptDirectory.from_config(alembic_config(migration_dirs(sources)))
    return sorted(r.revision for d in with_branch for r in script.get_revisions(f"{d}@head"))


def _render(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def new_addon(name: str, target: Path, depends: list[str], addons_paths: tuple[Path, ...] = (),
              model: str | None = None) -> Path:
    """Write the addon `name` into `target/name`; returns its folder.

    `depends` names the addons it builds on (their migrations come first:
    `depends_on` in its first revision); `addons_paths` are searched, with
    `target`, for existing addons; `model` is the model's class name (default
    from the addon's name, `visits` -> `Visit`)."""
    target = target.resolve()
    sources = discover(tuple(addons_paths) + (target,))
    check_name(name, sources, target)
    model = model or model_class_name(name)
    if not re.match(r"^[A-Z][A-Za-z0-9]*$", model):
        raise ScaffoldError(f"model '{model}' must be a class name in CamelCase")
    heads = dependency_heads(depends, sources)
    snake = _snake(model)
    values = {
        "name": name, "Model": model, "model": snake,
        "table": name if snake == name else f"{name}_{snake}",
        "title": name.replace("_", " ").capitalize(),
        "depends": repr(list(depends)),
        "depends_on": repr(heads[0] if len(heads) == 1 else tuple(heads) or None),
        "date": dt.date.today().isoformat(),
        "view_route": f"{model.lower()}view",
    }
    folder = target / name
    for source in sorted(TEMPLATE_DIR.rglob("*-tpl")):
        relative = _render(str(source.relative_to(TEMPLATE_DIR)), values).removesuffix("-tpl")
        out = folder / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_render(source.read_text(encoding="utf-8"), values), encoding="utf-8")
    for po in folder.glob("i18n/*/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)
    assert (folder / MANIFEST_FILE).is_file()
    return folder
