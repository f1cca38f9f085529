"""How an addon declares record rules (core/addons/loader.py): scope rows in
security/record_rules.csv, expressions in security/record_rules.py's RULES,
and the refusals that name the addon and what is wrong. No database: each
addon is a throwaway package whose models sit on their own registry, and its
rules are forgotten after the test."""
from __future__ import annotations

import importlib
import itertools
import textwrap
from pathlib import Path

import pytest

from core.addons.discovery import AddonSource
from core.addons.loader import AddonDeclarationError, _declare_record_rules
from core.security import record_rules
from core.security.actor import Actor

MODELS_PY = """
    from sqlalchemy import ForeignKey, Integer, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Gadget(Base):
        __tablename__ = "rr_gadget"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        owner_id: Mapped[int | None] = mapped_column(Integer)
        team_id: Mapped[int | None] = mapped_column(Integer)
        state: Mapped[str] = mapped_column(String(20))


    class Part(Base):  # no owner: expressions only
        __tablename__ = "rr_part"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        gadget_id: Mapped[int] = mapped_column(ForeignKey("rr_gadget.id"))
"""
_names = itertools.count()


@pytest.fixture
def addon(tmp_path, monkeypatch):
    """Writes an addon package with the given security files: (source, its models)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(csv: str | None = None, rules_py: str | None = None):
        name = f"rr_decl_{next(_names)}"
        folder = Path(tmp_path, name)
        (folder / "security").mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "models.py").write_text(textwrap.dedent(MODELS_PY))
        if csv is not None:
            (folder / "security" / "record_rules.csv").write_text(textwrap.dedent(csv).lstrip())
        if rules_py is not None:
            (folder / "security" / "record_rules.py").write_text(
                textwrap.dedent(rules_py).replace("ADDON", name))
        module = importlib.import_module(f"{name}.models")
        models = {"Gadget": module.Gadget, "Part": module.Part}
        made.extend(models.values())
        return AddonSource(name, name, folder, "addons path", None), models

    yield make
    for model in made:
        record_rules.forget(model)


RULES_PY = """
    from sqlalchemy import select
    from core.security.rule_expressions import RecordRule
    from ADDON.models import Gadget, Part

    RULES = [
        RecordRule(Gadget, "Support Agent",
                   read=lambda actor: Gadget.team_id.in_(actor.team_ids), write="own"),
        RecordRule(Part, "Support Agent",
                   read=lambda actor: Part.gadget_id.in_(
                       select(Gadget.id).where(Gadget.owner_id == actor.user_id))),
    ]
"""


def test_csv_scopes_and_expressions_are_declared_together(addon):
    source, models = addon(csv="""
        model,role,read,write
        Gadget,Salesperson,own,own
        Gadget,Finance,state:done|paid,none
    """, rules_py=RULES_PY)
    _declare_record_rules(source, models)
    gadget, part = models["Gadget"], models["Part"]
    assert set(record_rules.ruled_models()) >= {gadget, part}
    agent = Actor(1, "a", frozenset({"Support Agent"}))
    seller = Actor(2, "s", frozenset({"Salesperson"}))
    both = Actor(3, "b", frozenset({"Salesperson", "Support Agent"}))
    assert record_rules.scope_for(gadget, agent, "read") == "expression"
    assert record_rules.scope_for(gadget, agent, "write") == "own"
    assert record_rules.scope_for(gadget, seller, "read") == "own"
    assert record_rules.scope_for(gadget, both, "read") == "expression"
    assert record_rules.scope_for(part, seller, "read") == "none"
    assert record_rules.scope_for(gadget, Actor(4, "f", frozenset({"Finance"})),
                                  "read") == "expression"


@pytest.mark.parametrize("csv, rules_py, message", [
    ("model,role,read,write\nGadget,Support Agent,all,none\n", RULES_PY,
     "Gadget/Support Agent is ruled already (record_rules.csv line 2)"),
    (None, "RULES = {}\n", "must define RULES, a list of"),
    (None, "RULES = [lambda actor: None]\n", "must define RULES"),
    (None, """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
        from core.security.rule_expressions import RecordRule

        class Base(DeclarativeBase):
            pass

        class Gadget(Base):  # another addon's class of the same name
            __tablename__ = "rr_other"
            id: Mapped[int] = mapped_column(primary_key=True)

        RULES = [RecordRule(Gadget, "Finance", read="all")]
     """, "rules Gadget, which is not one of its models"),
    ("model,role,read,write\nPart,Salesperson,own,own\n", None,
     "Part has the 'own' scope but no 'owner_id' column"),
    ("model,role,read,write\nGadget,Salesperson,own,state:done\n", None,
     "'state:done' reads only"),
    ("model,role,read,write\nGadget,Salesperson,mine,own\n", None,
     "scope must be one of"),
    ("model,role,read,write\nWidget,Salesperson,own,own\n", None,
     "unknown model 'Widget'"),
    ("model,role,read,write\nGadget,Sales person,own,own\n", None,
     "record_rules.csv line 2: unknown role 'Sales person'"),
    (None, """
        from core.security.rule_expressions import RecordRule
        from ADDON.models import Gadget
        RULES = [RecordRule(Gadget, "Finance", read=42)]
     """, "is a scope name or `lambda actor"),
    (None, """
        from core.security.rule_expressions import RecordRule
        from ADDON.models import Gadget
        RULES = [RecordRule(Gadget, "Finance", read=lambda actor: Gadget.team.in_(actor.team_ids))]
     """, "record_rules.py: Gadget: the read expression fails: AttributeError"),
    (None, """
        from core.security.rule_expressions import RecordRule
        from ADDON.models import Gadget
        RULES = [RecordRule(Gadget, "Finance", read="all", write=lambda actor: actor.user_id == 1)]
     """, "the write expression must return an SQL condition"),
])
def test_a_wrong_declaration_names_the_addon_and_the_fault(addon, csv, rules_py, message):
    source, models = addon(csv=csv, rules_py=rules_py)
    with pytest.raises(AddonDeclarationError, match=f"^addon '{source.name}': ") as err:
        _declare_record_rules(source, models)
    assert message in str(err.value)
