"""A small gradient-descent baseline: full-batch Adam on the mean square loss of a depth-2 ReLU
network ``f(x) = Σ_j v_j σ(w_j·x + b_j)`` with real output weights ``v_j``.

This is what practitioners run (scikit-learn's ``MLPRegressor`` uses the same network and, by
default, Adam); it is written here in numpy so the tests need no scikit-learn and every step is
seeded.  It is a float heuristic: its losses are measurements, never bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exactfit.errors import InputError

__all__ = ["DescentRun", "gradients", "train"]


@dataclass(frozen=True)
class DescentRun:
    """One training run.

    Attributes
    ----------
    losses : (steps + 1,) array
        Mean square loss ``(1/n) Σ_i (f(x_i) − y_i)²`` before each step and after the last.
    W, b, v : arrays (m, d), (m,), (m,)
        The final parameters.
    test_losses : (steps + 1,) array or None
        The mean square loss on the held-out set passed to :func:`train`, at the same steps.
    """

    losses: np.ndarray
    W: np.ndarray
    b: np.ndarray
    v: np.ndarray
    test_losses: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.losses.ndim != 1 or self.losses.size == 0:
            raise InputError("descent run: expected a non-empty 1-d loss history")

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``f(x)`` for the rows of ``X``."""
        return np.maximum(np.asarray(X, dtype=float) @ self.W.T + self.b, 0.0) @ self.v


def gradients(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray, v: np.ndarray, bias: bool
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """The loss ``(1/n)‖f(X) − y‖²`` and its gradients in ``(W, b, v)`` (σ'(0) taken as 0)."""
    pre = X @ W.T + b
    act = np.maximum(pre, 0.0)
    r = act @ v - y
    n = X.shape[0]
    g_out = 2.0 * r / n
    gv = act.T @ g_out
    g_pre = np.outer(g_out, v) * (pre > 0)
    gW = g_pre.T @ X
    gb = g_pre.sum(axis=0) if bias else np.zeros_like(b)
    return float(r @ r / n), gW, gb, gv


def train(
    X: np.ndarray,
    y: np.ndarray,
    width: int,
    *,
    steps: int = 2000,
    lr: float = 0.01,
    bias: bool = False,
    seed: int = 0,
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> DescentRun:
    """Full-batch Adam (β = 0.9, 0.999) from the usual scaled Gaussian start: ``w_j ~ N(0, I/d)``,
    ``v_j ~ N(0, 1/m)``, ``b = 0``; ``test = (X_t, y_t)`` also records the held-out loss."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise InputError(f"descent: expected X (n, d) and y (n,), found {X.shape} and {y.shape}")
    if width < 1 or steps < 0 or not lr > 0:
        raise InputError(
            f"descent: expected width ≥ 1, steps ≥ 0, lr > 0, found {width}, {steps}, {lr}"
        )
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    params = [
        rng.normal(size=(width, d)) / np.sqrt(d),
        np.zeros(width),
        rng.normal(size=width) / np.sqrt(width),
    ]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    losses = np.empty(steps + 1)
    held = None if test is None else np.empty(steps + 1)

    def held_out(i: int) -> None:
        if held is not None:
            r = np.maximum(test[0] @ params[0].T + params[1], 0.0) @ params[2] - test[1]
            held[i] = float(r @ r / r.size)

    for t in range(1, steps + 1):
        loss, *grads = gradients(X, y, *params, bias)
        losses[t - 1] = loss
        held_out(t - 1)
        for i, g in enumerate(grads):
            m1[i] = 0.9 * m1[i] + 0.1 * g
            m2[i] = 0.999 * m2[i] + 0.001 * g * g
            step = (m1[i] / (1 - 0.9**t)) / (np.sqrt(m2[i] / (1 - 0.999**t)) + 1e-12)
            params[i] = params[i] - lr * step
    losses[steps] = gradients(X, y, *params, bias)[0]
    held_out(steps)
    return DescentRun(losses, *params, held)
