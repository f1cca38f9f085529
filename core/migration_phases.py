"""Expand or contract: which migrations the previous release's code survives.

A rolling upgrade runs the new release's migrations while the old code still
serves, and only then replaces the code. That works when every pending
migration *expands* the schema: new tables, nullable columns or columns with a
server default, new indexes. An operation old code cannot survive (a drop, a
rename, a type change, NOT NULL on a column it does not fill) is a *contract*
step: it ships in a later release, once no code that uses the old shape runs,
and its script says so at module level:

    phase = "contract"  # drops note.legacy_code, unused since 2.0

`crossdock db check-upgrade` lists the pending revisions and refuses (status
2) when one of them contracts without saying so. Reading the scripts, not
running them: SQL passed to `op.execute` is not judged.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

CONTRACT = "contract"
DROPS = {"drop_table": "drops a table", "drop_column": "drops a column",
         "rename_table": "renames a table"}


@dataclass(frozen=True)
class Finding:
    line: int
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}"


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _required_column(node: ast.expr) -> bool:
    """`sa.Column(..., nullable=False)` without a server default: old code's
    inserts, which do not name it, fail."""
    if not (isinstance(node, ast.Call) and _call_name(node) == "Column"):
        return False
    kw = _keywords(node)
    return _is_false(kw.get("nullable")) and "server_default" not in kw


def _judge(call: ast.Call) -> str | None:
    name = _call_name(call)
    if name in DROPS:
        return DROPS[name]
    kw = _keywords(call)
    if name == "alter_column":
        if "new_column_name" in kw:
            return "renames a column"
        if "type_" in kw:
            return "changes a column's type"
        if _is_false(kw.get("nullable")):
            return "makes a column NOT NULL"
    if name == "add_column" and any(_required_column(a) for a in call.args):
        return "adds a NOT NULL column without a server default"
    return None


def contract_operations(source: str) -> list[Finding]:
    """What in a revision script (all but its `downgrade`) old code cannot survive."""
    tree = ast.parse(source)
    skipped = {id(n) for f in tree.body if isinstance(f, ast.FunctionDef)
               and f.name == "downgrade" for n in ast.walk(f)}
    return sorted((Finding(node.lineno, what) for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and id(node) not in skipped
                   and (what := _judge(node)) is not None), key=lambda f: f.line)


def declared_phase(source: str) -> str:
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "phase"
                                                 for t in node.targets)
                and isinstance(node.value, ast.Constant)):
            return node.value.value
    return "expand"


@dataclass(frozen=True)
class PendingRevision:
    branch: str
    revision: str
    path: Path
    phase: str
    findings: tuple[Finding, ...]

    @property
    def refused(self) -> bool:
        """Contracts without saying so."""
        return bool(self.findings) and self.phase != CONTRACT


def judge(branch: str, revision: str, path: Path) -> PendingRevision:
    source = path.read_text(encoding="utf-8")
    return PendingRevision(branch, revision, path, declared_phase(source),
                           tuple(contract_operations(source)))
