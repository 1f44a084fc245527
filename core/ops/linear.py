"""A linear map z = a·W + b (row layout) or z = W·a + b (column layout), and its gradients.

Row layout: a is (n_in,) or a batch m×n_in, W is n_in×n_out, z is (n_out,) or m×n_out.
Column layout: a is (n_in,) or a batch n_in×m, W is n_out×n_in, z is (n_out,) or n_out×m.
"""

from __future__ import annotations

import numpy as np


def linear(row: bool, batch: bool):
    """z = a·W (+ b) or W·a (+ b); a column-layout batch adds b to every column."""
    def f(a, W, bias=None):
        z = a @ W if row else W @ a
        if bias is None:
            return z
        return z + (bias[:, None] if batch and not row else bias)
    return f


def weight_grad(row: bool):
    """∂L/∂W. Row: aᵀ·∂L/∂z (an outer product for one observation, Aᵀ·∂L/∂Z for a batch); column: transposed."""
    def f(a, g):
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        g2 = g.reshape(1, -1) if g.ndim == 1 else g
        return a2.T @ g2 if row else (g2.T @ a2 if a.ndim == 1 else g2 @ a2.T)
    return f


def bias_grad(row: bool, batch: bool):
    """∂L/∂b = ∂L/∂z, summed over a batch's observations."""
    if not batch:
        return lambda g: g * 1.0
    return (lambda g: np.sum(g, axis=0)) if row else (lambda g: np.sum(g, axis=1))


def input_grad(row: bool):
    """∂L/∂a = ∂L/∂z·Wᵀ (row) or Wᵀ·∂L/∂z (column)."""
    return (lambda g, W: g @ W.T) if row else (lambda g, W: W.T @ g)


def one_unit(row: bool, batch: bool, j: int):
    """∂L/∂a from output unit j alone: ∂L/∂zⱼ times unit j's weights (row: column j of W; column: row j).

    One observation: (n_in,); a batch: m×n_in (row layout) or n_in×m (column layout). A slip: the
    sum over the output units left out.
    """
    if not batch:
        return (lambda g, W: g[j] * W[:, j]) if row else (lambda g, W: g[j] * W[j, :])
    return (lambda G, W: G[:, j:j + 1] * W[:, j]) if row else (lambda G, W: W[j, :, None] * G[j:j + 1, :])
