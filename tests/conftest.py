"""Test-wide settings: hermetic homes and Hypothesis profiles.

Every test runs with ``HOME`` and ``NNTUTOR_DATA_DIR`` pointed at temporary directories, and
fails if anything lands in that home: no test writes into a real user's files.

Hypothesis profiles (``--hypothesis-profile=NAME``):
- ``default``: a few hundred examples per fuzz test, so the whole run stays within minutes;
- ``ci`` (loaded when ``CI`` is set): the same, and the same examples every run (``derandomize``),
  so a submission is judged on a fixed, reproducible set;
- ``deep``: the full counts (``tests.support.fuzz``: 10 000 for the answer reader), for a
  nightly or a pre-release run.
No profile keeps an example database: nothing is written into the checkout.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("default", database=None)
settings.register_profile("ci", database=None, derandomize=True, print_blob=True)
settings.register_profile("deep", database=None, max_examples=10_000)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def hermetic_home(tmp_path_factory, monkeypatch):
    """A fresh, empty HOME and data directory for each test; the home must stay empty."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NNTUTOR_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(var, raising=False)
    yield home
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert not written, f"the test wrote into the user's home: {written[:5]}"
