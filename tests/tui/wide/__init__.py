"""The pictures at 120×40: the deep profile only (see test_picture_snapshots_wide.py)."""
