"""Activations and losses: hand-worked values, and every backward against central differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core import ops

FLOATS = st.floats(-4, 4, allow_nan=False, allow_infinity=False)


def _central(f, v, h=1e-6):
    """∂f/∂v by central differences, f scalar."""
    v = np.asarray(v, dtype=np.float64)
    grad = np.zeros_like(v)
    for idx in np.ndindex(v.shape):
        plus, minus = v.copy(), v.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (float(f(plus)) - float(f(minus))) / (2 * h)
    return grad


def _close(numeric, analytic, rel=1e-6):
    scale = max(1.0, float(np.max(np.abs(numeric))))
    assert np.max(np.abs(np.asarray(numeric) - np.asarray(analytic))) <= rel * scale


# -- hand-worked ------------------------------------------------------------------------


def test_softmax_of_logits_1_minus2_0_and_the_log_loss_of_class_1():
    # e¹ = 2.718282, e⁻² = 0.135335, e⁰ = 1; the sum is 3.853617
    # p = (2.718282, 0.135335, 1)/3.853617 = (0.705385, 0.035119, 0.259496)
    # class 1: L = −ln 0.705385 = 0.349012
    p = ops.softmax(np.array([1.0, -2.0, 0.0]))
    np.testing.assert_allclose(p, [0.705385, 0.035119, 0.259496], atol=5e-7)
    y = np.array([1.0, 0.0, 0.0])
    assert ops.cross_entropy(p, y) == pytest.approx(0.349012, abs=5e-7)
    assert ops.cross_entropy_logits(np.array([1.0, -2.0, 0.0]), y) == pytest.approx(0.349012, abs=5e-7)


@pytest.mark.parametrize("T, expected", [
    # T = 10: z/T = (0.1, 0.2, 0.5); e^(z/T) = (1.105171, 1.221403, 1.648721), sum 3.975295
    #         p = (0.278010, 0.307248, 0.414742)
    (10.0, [0.278010, 0.307248, 0.414742]),
    # T = 1: e^z = (2.718282, 7.389056, 148.413159), sum 158.520497; p = (0.017148, 0.046613, 0.936240)
    (1.0, [0.017148, 0.046613, 0.936240]),
    # T = 0.1: z/T = (10, 20, 50); dividing by e⁵⁰: p ≈ (e⁻⁴⁰, e⁻³⁰, 1) = (4.2e−18, 9.4e−14, 1)
    (0.1, [4.248354e-18, 9.357623e-14, 1.0]),
])
def test_softmax_with_temperature_of_1_2_5(T, expected):
    p = ops.softmax(np.array([1.0, 2.0, 5.0]), T)
    np.testing.assert_allclose(p, expected, rtol=2e-6, atol=1e-6)
    assert p.sum() == pytest.approx(1.0)


def test_softmax_temperature_limits():
    z = np.array([1.0, 2.0, 5.0])
    np.testing.assert_allclose(ops.softmax(z, 1e6), [1 / 3] * 3, atol=1e-5)  # T → ∞: uniform
    np.testing.assert_allclose(ops.softmax(z, 1e-3), [0, 0, 1], atol=1e-12)  # T → 0: arg-max


def test_softmax_does_not_overflow():
    p = ops.softmax(np.array([1000.0, 0.0]))
    np.testing.assert_allclose(p, [1.0, 0.0])


def test_log_loss_from_logits_is_stable_where_probabilities_give_up():
    # z = 40, y = 0: σ(40) rounds to 1, so −ln(1 − p) = ∞; the logit form gives ln(1 + e⁴⁰) ≈ 40
    z, y = np.array([40.0]), np.array([0.0])
    with np.errstate(divide="ignore"):
        assert np.isinf(ops.log_loss(ops.sigmoid(z), y))
    assert ops.log_loss_logits(z, y) == pytest.approx(40.0)
    assert ops.log_loss_logits(np.array([-800.0]), np.array([1.0])) == pytest.approx(800.0)


def test_log_loss_at_a_sigmoid_head():
    # σ(1) = 0.731059; y = 0: L = −ln(1 − 0.731059) = ln(1 + e) = 1.313262
    p = ops.sigmoid(np.array([1.0]))
    assert ops.log_loss(p, np.array([0.0])) == pytest.approx(1.313262, abs=5e-7)
    # ∂L/∂p = (p − y)/(p(1 − p)) = 1/(1 − p) = 1 + e = 3.718282
    np.testing.assert_allclose(ops.log_loss_grad(p, np.array([0.0])), [1 + np.e])


def test_poisson_loss_by_hand():
    # λ = e^0.5 = 1.648721, y = 2: L = 1.648721 − 2·0.5 = 0.648721; ∂L/∂λ = 1 − 2/1.648721 = −0.213061
    lam, y = np.exp(np.array([0.5])), np.array([2.0])
    assert ops.poisson_loss(lam, y) == pytest.approx(0.648721, abs=5e-7)
    assert ops.poisson_loss_logits(np.array([0.5]), y) == pytest.approx(0.648721, abs=5e-7)
    np.testing.assert_allclose(ops.poisson_loss_grad(lam, y), [1 - 2 / np.exp(0.5)])


def test_kink_conventions():
    z = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(ops.ACTIVATIONS["relu"].df(z), [0, 0, 1])
    np.testing.assert_array_equal(ops.ACTIVATIONS["step"].f(z), [0, 1, 1])
    np.testing.assert_array_equal(ops.ACTIVATIONS["step"].df(z), [0, 0, 0])
    leaky = ops.leaky_relu(0.2)
    np.testing.assert_allclose(leaky.f(z), [-0.2, 0, 1])
    np.testing.assert_allclose(leaky.df(z), [0.2, 0.2, 1])


def test_make_activation_knows_every_name():
    for name in ops.ACTIVATION_NAMES:
        assert ops.make_activation(name).name == name
    assert not ops.make_activation("softmax").elementwise


# -- against central differences --------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=4), st.sampled_from([0.1, 0.5, 1.0, 3.0, 10.0]),
       st.integers(0, 2**32 - 1))
def test_softmax_backward_is_the_jacobian_vector_product(z, T, seed):
    z = np.array(z)
    g = np.random.default_rng(seed).normal(size=z.size)
    numeric = _central(lambda v: g @ ops.softmax(v, T), z)
    _close(numeric, ops.softmax_vjp(z, g, T))
    # and it is Jᵀg with the explicit Jacobian ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)/T
    p = ops.softmax(z, T)
    J = (np.diag(p) - np.outer(p, p)) / T
    np.testing.assert_allclose(ops.softmax_vjp(z, g, T), J.T @ g, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(2, 4), st.sampled_from([0.5, 1.0, 2.0]), st.integers(0, 2**32 - 1))
def test_softmax_on_a_batch_works_along_the_unit_axis(m, k, T, seed):
    rng = np.random.default_rng(seed)
    Z, G = rng.normal(size=(m, k)), rng.normal(size=(m, k))
    by_rows = ops.softmax_vjp(Z, G, T, axis=-1)
    by_cols = ops.softmax_vjp(Z.T, G.T, T, axis=0)
    np.testing.assert_allclose(by_cols, by_rows.T, atol=1e-14)
    for i in range(m):
        np.testing.assert_allclose(by_rows[i], ops.softmax_vjp(Z[i], G[i], T), atol=1e-14)


@pytest.mark.parametrize("name", [n for n in ops.ACTIVATIONS])
def test_elementwise_backward_matches_differences(name):
    act = ops.make_activation(name, slope=0.3)
    z = np.array([-2.0, -0.3, 0.4, 1.7])
    g = np.array([0.5, -1.0, 2.0, 0.25])
    _close(_central(lambda v: g @ act.forward(v), z), act.backward(z, g))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1), st.sampled_from([1.0, 0.5]))
def test_every_loss_gradient_matches_differences(k, seed, scale):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=k)
    y01, counts = rng.uniform(size=k), rng.integers(0, 5, size=k).astype(float)
    onehot = np.eye(k)[rng.integers(k)]
    half = bool(rng.integers(2))
    y = rng.normal(size=k)
    cases = [
        (lambda v: ops.squared_loss(v, y, half, scale), z, ops.squared_loss_grad(z, y, half, scale)),
        (lambda v: ops.log_loss(ops.sigmoid(v), y01, scale), z,
         ops.log_loss_grad(ops.sigmoid(z), y01, scale) * ops.sigmoid(z) * (1 - ops.sigmoid(z))),
        (lambda v: ops.log_loss(v, y01, scale), ops.sigmoid(z), ops.log_loss_grad(ops.sigmoid(z), y01, scale)),
        (lambda v: ops.log_loss_logits(v, y01, scale), z, ops.output_logit_grad(ops.sigmoid(z), y01, scale)),
        (lambda v: ops.cross_entropy(v, onehot, scale), ops.softmax(z),
         ops.cross_entropy_grad(ops.softmax(z), onehot, scale)),
        (lambda v: ops.cross_entropy_logits(v, onehot, 2.0, -1, scale), z,
         ops.output_logit_grad(ops.softmax(z, 2.0), onehot, scale, 2.0)),
        (lambda v: ops.poisson_loss(v, counts, scale), np.exp(z), ops.poisson_loss_grad(np.exp(z), counts, scale)),
        (lambda v: ops.poisson_loss_logits(v, counts, scale), z, ops.output_logit_grad(np.exp(z), counts, scale)),
    ]
    for f, at, analytic in cases:
        _close(_central(f, at), analytic)


def test_logit_and_probability_forms_agree():
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(3, 4))
    Y = np.eye(4)[[0, 3, 1]]
    assert ops.cross_entropy_logits(Z, Y, 0.7, -1, 1 / 3) == pytest.approx(
        ops.cross_entropy(ops.softmax(Z, 0.7, -1), Y, 1 / 3))
    assert ops.cross_entropy_logits(Z.T, Y.T, 0.7, 0) == pytest.approx(ops.cross_entropy(ops.softmax(Z, 0.7), Y))
    y01 = rng.uniform(size=(3, 4))
    assert ops.log_loss_logits(Z, y01) == pytest.approx(ops.log_loss(ops.sigmoid(Z), y01))
    assert ops.poisson_loss_logits(Z, y01) == pytest.approx(ops.poisson_loss(np.exp(Z), y01))
