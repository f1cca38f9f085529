"""The contacts addon's session listeners: none installed by importing the addon,
each installed once by listeners.register() however often the app factory runs."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# a fresh interpreter: this test process may have installed them already
SCRIPT = textwrap.dedent("""
    import importlib, pathlib
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    for path in sorted(pathlib.Path("addons/contacts").rglob("*.py")):
        if "migrations" not in path.parts:
            importlib.import_module(".".join(path.with_suffix("").parts).removesuffix(".__init__"))
    from addons.contacts import listeners

    assert listeners.LISTENERS, "no listener declared"
    for target, name, listener, enforces in listeners.LISTENERS:
        assert enforces, f"{listener.__name__}: say what it enforces"
        assert not event.contains(target, name, listener), f"{listener.__name__} on import"
    listeners.register()
    listeners.register()
    for target, name, listener, _ in listeners.LISTENERS:
        assert event.contains(target, name, listener), f"{listener.__name__} not installed"
        if target is Session:  # a session's dispatch lists the class-level listeners
            installed = list(getattr(Session().dispatch, name))
            assert installed.count(listener) == 1, f"{listener.__name__} installed twice"
    print("ok")
""")


def test_listeners_install_once_and_never_on_import():
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
