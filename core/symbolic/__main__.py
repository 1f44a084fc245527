"""The SymPy worker process: ``python -I -m nntutor.core.symbolic --worker MEMORY`` (see :mod:`.worker`)."""

import sys

from .worker import MEMORY_LIMIT, _serve

if sys.argv[1:2] == ["--worker"]:
    _serve(int(sys.argv[2]) if len(sys.argv) > 2 else MEMORY_LIMIT)
