"""The WSGI entry point gunicorn's workers load."""

from __future__ import annotations

from pathlib import Path

from carehub.tests.processes import run_python

SHOW = """
import gc
before = gc.get_freeze_count()
from carehub.wsgi import application
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_loading_the_app_takes_its_objects_out_of_the_collectors_generations(tmp_path: Path) -> None:
    # A full collection would otherwise walk every object the app loaded (tens of milliseconds,
    # now and then, in the middle of a request).
    result = run_python(["-c", SHOW], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    before, frozen, tracked = map(int, result.stdout.split())
    assert before == 0 and frozen > 10 * max(tracked, 1000)
