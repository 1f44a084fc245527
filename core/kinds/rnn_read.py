"""The rnn kind's readers: weights and vectors in the shapes a lesson may write them, the classes per step."""

from __future__ import annotations

import numpy as np

from . import DataError, read_array

_MAX_SIZE = 16


def matrix(arr: np.ndarray, rows: int, cols: int, field: str, layout: str) -> np.ndarray:
    """A rows×cols matrix from a number, a list (a column or a row) or a matrix."""
    want = f"it must be {rows}×{cols} ({layout})"
    if arr.ndim == 0:
        if rows == cols == 1:
            return arr.reshape(1, 1)
        raise DataError(field, f"is a single number but {want}")
    if arr.ndim == 1:
        if cols == 1 and arr.size == rows:
            return arr.reshape(rows, 1)
        if rows == 1 and arr.size == cols:
            return arr.reshape(1, cols)
        raise DataError(field, f"is a list of {arr.size} numbers but {want}")
    if arr.shape != (rows, cols):
        raise DataError(field, f"has shape {arr.shape[0]}×{arr.shape[1]} but {want}")
    return arr


def output_matrix(arr: np.ndarray, n_h: int, field: str) -> np.ndarray:
    """V with one row per output and one column per state unit."""
    if arr.ndim == 0:
        if n_h != 1:
            raise DataError(field, f"is a single number but the state has {n_h} units: give one column per unit")
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        if n_h == 1:
            return arr.reshape(-1, 1)  # one weight per output
        if arr.size == n_h:
            return arr.reshape(1, n_h)  # one output
        raise DataError(field, f"is a list of {arr.size} numbers but the state has {n_h} units")
    if arr.shape[1] != n_h:
        raise DataError(field, f"has {arr.shape[1]} columns but the state has {n_h} units "
                               f"(one row per output, one column per state unit)")
    if arr.shape[0] > _MAX_SIZE:
        raise DataError(field, f"at most {_MAX_SIZE} outputs, got {arr.shape[0]}")
    return arr


def vector(data, key: str, path: str, n: int, what: str) -> np.ndarray | None:
    arr = read_array(data, key, path, ndim=(0, 1), required=False)
    if arr is None:
        return None
    arr = arr.reshape(-1)
    if arr.size != n:
        raise DataError(f"{path}.{key}", f"has {arr.size} values but there are {n} {what}")
    return arr


def labels(data, path: str, T: int, n_out: int) -> np.ndarray:
    field = f"{path}.labels"
    if "labels" not in data:
        raise DataError(field, f"missing: the class of every step, {T} numbers from 1 to {n_out}")
    arr = read_array(data, "labels", path, ndim=(0, 1)).reshape(-1)
    if arr.size != T:
        raise DataError(field, f"has {arr.size} labels but there are {T} steps")
    if not np.all((arr == np.round(arr)) & (arr >= 1) & (arr <= n_out)):
        raise DataError(field, f"each label is a class number from 1 to {n_out}")
    return arr


def only(data, path: str, keys, when: str) -> None:
    for key in keys:
        if key in data:
            raise DataError(f"{path}.{key}", f"only used {when}")
