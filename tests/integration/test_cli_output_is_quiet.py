"""What a new user sees from a `crossdock` command: its answer, no warnings
(FAB logged "Filter type not supported for column: due_time" five times on
every command, for the sales activities' time column)."""
from __future__ import annotations

import os
import subprocess

from tests.helpers import CROSSDOCK


def test_a_command_prints_its_answer_and_nothing_on_stderr(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env["CROSSDOCK_INSTANCE_PATH"] = str(tmp_path / "instance")
    out = subprocess.run([CROSSDOCK, "addons", "list"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0
    assert "sales" in out.stdout
    assert out.stderr == ""
