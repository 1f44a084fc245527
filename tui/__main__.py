"""``python -m nntutor.tui`` runs the same CLI as ``nntutor``."""

from .cli import main

raise SystemExit(main())
