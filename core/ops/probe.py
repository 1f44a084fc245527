"""L = Σ c∘y: a loss whose gradient ∂L/∂y is exactly c.

A drill that starts a layer's backward pass from a chosen gradient c (batch norm, dropout) still
has a loss to check every gradient against by central differences. Slots: ``y`` the output,
``c`` the weights, ``out`` the quantity computed.
"""

from __future__ import annotations

import numpy as np

from .record import Op

LOSS = Op("weighted_sum", ("y", "c"), lambda y, c: np.sum(y * c), "{out} = Σ {c}∘{y}")
GRADIENT = Op("weighted_sum_grad", ("c",), lambda c: c * 1.0, "{out} = {c}")
