"""Test-wide settings.

On CI (``CI`` set), Hypothesis draws the same examples every run (``derandomize``): a
submission is judged on a fixed, reproducible set; local runs keep exploring new examples.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
