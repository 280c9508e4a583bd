"""numpy optimizers: convergence on convex quadratics, hand-computed steps, torch.optim parity."""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from training.optimizers import (
    FIGURE_OPTIMIZERS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    RMSprop,
    adagrad_step,
    adam_step,
    adamw_step,
    quadratic,
    rmsprop_step,
    sgd_momentum_step,
    split_weight_decay,
    trajectory,
)

from tests.page_math import page_formulas, run_equations

# (numpy optimizer, torch.optim class name, keyword arguments shared by both)
CASES = [
    (SGD, "SGD", {"lr": 0.05}),
    (SGD, "SGD", {"lr": 0.05, "momentum": 0.9}),
    (SGD, "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    (SGD, "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (SGD, "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    (Adagrad, "Adagrad", {"lr": 0.1}),
    (Adagrad, "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    (Adadelta, "Adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    (RMSprop, "RMSprop", {"lr": 0.01, "alpha": 0.9}),
    (Adam, "Adam", {"lr": 0.01, "betas": (0.8, 0.99)}),
    (Adam, "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    (AdamW, "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
]


def loss_and_grad(w, A, b):
    """A non-quadratic loss (so the gradients change from step to step): softplus of A w - b."""
    r = A @ w - b
    return np.sum(np.logaddexp(0, r)) + 0.5 * np.sum(w**2), A.T @ (1 / (1 + np.exp(-r))) + w


@pytest.mark.parametrize(("ours", "name", "kwargs"), CASES, ids=lambda c: str(c))
def test_matches_torch_optim(ours, name, kwargs):
    torch = pytest.importorskip("torch", reason="torch.optim is the reference")
    rng = np.random.default_rng(0)
    A, b = rng.normal(size=(6, 4)), rng.normal(size=6)
    w0 = [rng.normal(size=4), rng.normal(size=(2, 2))]  # two parameter arrays
    ws = [w.copy() for w in w0]
    opt = ours(**kwargs)
    tws = [torch.tensor(w, requires_grad=True) for w in w0]
    topt = getattr(torch.optim, name)(tws, **kwargs)
    At, bt = torch.tensor(A), torch.tensor(b)
    for _ in range(25):
        flat = np.concatenate([ws[0], ws[1].ravel()])[:4]
        g0 = loss_and_grad(flat, A, b)[1]
        grads = [g0, 2 * ws[1] ** 3]  # the second array: loss Σ w⁴ / 2
        opt.step(ws, grads)

        topt.zero_grad()
        r = At @ tws[0] - bt
        loss = torch.nn.functional.softplus(r).sum() + 0.5 * (tws[0] ** 2).sum()
        loss = loss + 0.5 * (tws[1] ** 4).sum()
        loss.backward()
        topt.step()
    for w, tw in zip(ws, tws, strict=True):
        np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-9, atol=1e-12)


CONVERGE = [
    lambda: SGD(lr=0.05),
    lambda: SGD(lr=0.02, momentum=0.9),
    lambda: SGD(lr=0.02, momentum=0.9, nesterov=True),
    lambda: Adagrad(lr=0.5),
    lambda: Adadelta(),
    lambda: RMSprop(lr=0.01),
    lambda: Adam(lr=0.05),
]


@pytest.mark.parametrize("make", CONVERGE, ids=lambda m: type(m()).__name__)
def test_converges_on_convex_quadratic(make):
    f, grad = quadratic((1.0, 10.0))
    path = trajectory(make(), grad, [3.0, -2.0], 3000)
    # with a constant lr the adaptive methods hover within about lr of the minimum
    assert f(path[-1]) < 1e-3 * f(path[0])
    assert f(path[-1]) < f(path[len(path) // 10])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.5, 5.0), min_size=1, max_size=4), st.integers(0, 1000))
def test_adam_converges_on_random_quadratic(scales, seed):
    f, grad = quadratic(tuple(scales))
    w0 = np.random.default_rng(seed).uniform(-3, 3, len(scales))
    path = trajectory(Adam(lr=0.05), grad, w0, 1500)
    assert f(path[-1]) <= 1e-4 * max(f(path[0]), 1e-12) + 1e-10


def test_hand_computed_steps():
    # SGD momentum 0.9, lr 0.1, constant gradient 1: v = 1, 1.9, 2.71; p = -0.1, -0.29, -0.561
    p = np.zeros(1)
    opt = SGD(lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.step([p], [np.ones(1)])
    assert p[0] == pytest.approx(-0.561)
    # AdaGrad accumulates: gradients 3 then 4 -> G = 9 then 25, steps 3/3 and 4/5
    p = np.zeros(1)
    opt = Adagrad(lr=1.0, eps=0.0)
    opt.step([p], [np.array([3.0])])
    opt.step([p], [np.array([4.0])])
    assert p[0] == pytest.approx(-(1.0 + 0.8))
    # Adam's first step is lr · sign(g) thanks to bias correction (eps aside)
    p = np.zeros(2)
    Adam(lr=0.1, eps=0.0).step([p], [np.array([5.0, -0.01])])
    np.testing.assert_allclose(p, [-0.1, 0.1])
    # AdamW shrinks the weight by (1 - lr · wd) before the Adam step
    p = np.array([2.0])
    AdamW(lr=0.1, eps=0.0, weight_decay=0.5).step([p], [np.array([1.0])])
    assert p[0] == pytest.approx(2.0 * (1 - 0.05) - 0.1)


def adam_by_hand(p, grads, lr, beta1, beta2, eps, weight_decay=0.0, decoupled=False):
    """Adam on one float, written out from the paper's Algorithm 1: the independent reference."""
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
    return p


@pytest.mark.parametrize(
    ("make", "wd", "decoupled"),
    [(Adam, 0.0, False), (Adam, 0.3, False), (AdamW, 0.3, True)],
    ids=["Adam", "Adam+L2", "AdamW"],
)
def test_adam_several_steps_match_the_hand_rolled_reference(make, wd, decoupled):
    rng = np.random.default_rng(7)
    grads = rng.normal(size=(8, 3))  # 8 steps: the bias corrections 1 - beta^t change each step
    p0 = rng.normal(size=3)
    p = p0.copy()
    opt = make(lr=0.05, betas=(0.7, 0.9), eps=1e-6, weight_decay=wd)
    for g in grads:
        opt.step([p], [g])
    expected = [
        adam_by_hand(p0[j], grads[:, j], 0.05, 0.7, 0.9, 1e-6, wd, decoupled) for j in range(3)
    ]
    np.testing.assert_allclose(p, expected, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 8), st.integers(0, 2**16))
def test_whiteboard_steps_match_the_full_optimizers(steps, seed):
    rng = np.random.default_rng(seed)
    w0, grads = rng.normal(size=(2, 3)), rng.normal(size=(steps, 2, 3))
    zero = np.zeros_like(w0)
    cases = [
        (SGD(lr=0.1, momentum=0.8), sgd_momentum_step, [zero], dict(lr=0.1, mu=0.8)),
        (Adagrad(lr=0.3), adagrad_step, [zero], dict(lr=0.3)),
        (RMSprop(lr=0.05, alpha=0.9), rmsprop_step, [zero], dict(lr=0.05, alpha=0.9)),
        (
            Adam(lr=0.05, betas=(0.7, 0.9)),
            adam_step,
            [zero, zero],
            dict(lr=0.05, beta1=0.7, beta2=0.9),
        ),
    ]
    for full, board, state, kwargs in cases:
        w, board_w = w0.copy(), w0.copy()
        for t, g in enumerate(grads, start=1):
            full.step([w], [g])
            extra = [t] if board is adam_step else []
            board_w, *state = board(board_w, g, *state, *extra, **kwargs)
        np.testing.assert_allclose(board_w, w, rtol=1e-12, err_msg=board.__name__)


def test_adam_bias_correction_makes_every_step_lr_for_a_constant_gradient():
    # With g constant, m_t = (1 - beta1^t) g and v_t = (1 - beta2^t) g², so m_hat = g and
    # v_hat = g² at every t: each step is exactly lr · sign(g), not only the first one.
    p = np.zeros(2)
    opt = Adam(lr=0.1, betas=(0.5, 0.6), eps=0.0)
    for t in range(1, 6):
        opt.step([p], [np.array([3.0, -0.2])])
        np.testing.assert_allclose(p, [-0.1 * t, 0.1 * t], rtol=1e-12)


def test_adagrad_is_the_page_formula():
    # G_t = G_{t-1} + g_t ⊙ g_t, θ_t = θ_{t-1} - η / (sqrt(G_t) + ε) ⊙ g_t, read from the page.
    heading = "## AdaGrad、Adadelta 和 RMSprop 怎样自适应地调整学习率？"
    [formula] = [f for f in page_formulas("training/optimizers.md", heading) if "G_t" in f]
    rng = np.random.default_rng(3)
    theta, G = rng.normal(size=3), np.full(3, 0.25)
    p = theta.copy()
    opt = Adagrad(lr=0.3, eps=1e-3, initial_accumulator_value=0.25)
    for g in rng.normal(size=(6, 3)) * [1.0, 10.0, 0.1]:
        opt.step([p], [g])
        out = run_equations(formula, G_prev=G, theta_prev=theta, g_t=g, eta=0.3, epsilon=1e-3)
        theta, G = out["theta_t"], out["G_t"]
        np.testing.assert_allclose(p, theta, rtol=1e-12)


def test_state_is_per_parameter():
    a, b = np.zeros(1), np.zeros(1)
    opt = SGD(lr=1.0, momentum=0.5)
    opt.step([a, b], [np.ones(1), -np.ones(1)])
    opt.step([a, b], [np.ones(1), -np.ones(1)])
    assert a[0] == pytest.approx(-2.5)
    assert b[0] == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: SGD(lr=-1.0), ValueError, r"^lr must be >= 0, got -1.0$"),
        (lambda: SGD(momentum=1.0), ValueError, r"^momentum must be in \[0, 1\), got 1.0$"),
        (
            lambda: SGD(momentum=0.0, nesterov=True),
            ValueError,
            r"^nesterov needs momentum > 0 and dampening == 0$",
        ),
        (lambda: RMSprop(alpha=1.5), ValueError, r"^alpha must be in \[0, 1\), got 1.5$"),
        (
            lambda: Adam(betas=(1.0, 0.999)),
            ValueError,
            r"^betas\[0\] must be in \[0, 1\), got 1.0$",
        ),
        (lambda: Adam(betas=(0.9, 1.0)), ValueError, r"^betas\[1\] must be in \[0, 1\), got 1.0$"),
        (lambda: Adadelta(rho=-0.1), ValueError, r"^rho must be in \[0, 1\), got -0.1$"),
        (lambda: SGD().step([np.zeros(2)], []), ValueError, "length"),
        (lambda: SGD().step([np.zeros(2)], [np.zeros(3)]), ValueError, "grads"),
        (lambda: SGD().step([np.zeros(2, dtype=int)], [np.zeros(2)]), TypeError, "params"),
        (lambda: quadratic((1.0, -1.0)), ValueError, "scales"),
        (lambda: quadratic((1.0, 0.0)), ValueError, "positive"),
        (lambda: trajectory(SGD(), lambda w: w, [1.0], -1), ValueError, "steps"),
    ],
)
def test_bad_input_raises(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_zero_lr_is_allowed_and_keeps_the_parameters():
    # torch.optim accepts lr = 0 (only lr < 0 is an error): the step changes nothing.
    p = np.array([1.0, -2.0])
    Adam(lr=0.0).step([p], [np.array([0.5, 3.0])])
    np.testing.assert_array_equal(p, [1.0, -2.0])


@pytest.mark.parametrize(
    "make",
    [lambda: SGD(lr=0.1), lambda: SGD(lr=0.1, momentum=0.9), lambda: Adagrad(lr=0.1), Adam],
    ids=["SGD", "momentum", "Adagrad", "Adam"],
)
def test_float64_gradients_of_float32_parameters_take_float32_steps(make):
    # torch keeps gradients in the parameter's dtype (it refuses a float64 grad for a float32
    # tensor); here a float64 gradient is cast to float32 first, so it gives exactly the
    # float32 arithmetic (and float32 buffers) of its float32 cast.
    rng = np.random.default_rng(3)
    p0, grads = rng.normal(size=5).astype(np.float32), rng.normal(size=(4, 5))
    runs = []
    for gs in (grads, grads.astype(np.float32)):
        p, opt = p0.copy(), make()
        for g in gs:
            opt.step([p], [g])
        runs.append(p)
    assert runs[0].dtype == np.float32
    np.testing.assert_array_equal(runs[0], runs[1])


def test_quadratic_value_and_gradient_by_hand():
    f, grad = quadratic((1.0, 20.0))
    assert f(np.array([1.0, 2.0])) == 0.5 * (1.0 + 20.0 * 4.0)
    np.testing.assert_array_equal(grad(np.array([1.0, 2.0])), [1.0, 40.0])


def test_trajectory_of_zero_steps_is_the_start_and_int_starts_work():
    _, grad = quadratic((1.0, 20.0))
    np.testing.assert_array_equal(trajectory(SGD(lr=0.1), grad, (3, -2), 0), [[3.0, -2.0]])
    path = trajectory(SGD(lr=0.01), grad, (3, -2), 1)  # int w0 becomes a float parameter
    np.testing.assert_allclose(path, [[3.0, -2.0], [3.0 - 0.03, -2.0 + 0.4]], rtol=1e-12)


def sign_changes(x: np.ndarray, floor: float) -> int:
    """How often x changes sign between values larger than floor in magnitude."""
    big = x[np.abs(x) > floor]
    return int(np.sum(np.sign(big[1:]) != np.sign(big[:-1])))


def test_figure_adam_overshoots_where_adagrad_and_rmsprop_do_not():
    # The page says AdaGrad and RMSprop stop the zig-zag in the steep direction w2, while
    # Adam, carrying momentum, still swings across w2 = 0 several times.
    _, grad = quadratic((1.0, 20.0))
    w2 = {
        name: trajectory(FIGURE_OPTIMIZERS[name](), grad, (-4.5, 1.0), 40)[:, 1]
        for name in ("AdaGrad", "RMSprop", "Adam", "SGD lr=0.09")
    }
    assert sign_changes(w2["AdaGrad"], 1e-2) == 0
    assert sign_changes(w2["RMSprop"], 1e-2) == 0
    assert sign_changes(w2["Adam"], 1e-2) >= 5
    assert sign_changes(w2["SGD lr=0.09"], 1e-2) >= 5


def test_adam_ignores_the_scale_of_the_gradient():
    # mnist/index.md: multiplying every gradient by a constant leaves Adam's steps unchanged
    # (up to eps), unlike SGD's.
    _, grad = quadratic((1.0, 20.0))
    path = trajectory(Adam(lr=0.1, eps=0.0), grad, (-4.5, 1.0), 30)
    scaled = trajectory(Adam(lr=0.1, eps=0.0), lambda w: 1000.0 * grad(w), (-4.5, 1.0), 30)
    np.testing.assert_allclose(scaled, path, rtol=1e-12)


# ---- AdamW and the LLM settings -----------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 8), st.floats(0.0, 0.5), st.integers(0, 2**16))
def test_adamw_whiteboard_matches_the_full_adamw(steps, wd, seed):
    rng = np.random.default_rng(seed)
    w0, grads = rng.normal(size=(2, 3)), rng.normal(size=(steps, 2, 3))
    w, board, m, v = w0.copy(), w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    opt = AdamW(lr=0.05, betas=(0.8, 0.95), weight_decay=wd)
    for t, g in enumerate(grads, start=1):
        opt.step([w], [g])
        board, m, v = adamw_step(board, g, m, v, t, 0.05, 0.8, 0.95, 1e-8, wd)
    np.testing.assert_allclose(board, w, rtol=1e-12)


def test_adamw_whiteboard_matches_torch_adamw_step_by_step(torch):
    rng = np.random.default_rng(1)
    w, m, v = rng.normal(size=5), np.zeros(5), np.zeros(5)
    tw = torch.tensor(w.copy(), requires_grad=True)
    topt = torch.optim.AdamW([tw], lr=0.01, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    for t in range(1, 21):
        g = rng.normal(size=5) * np.array([100.0, 1.0, 1.0, 0.01, 0.0])
        tw.grad = torch.tensor(g)
        topt.step()
        w, m, v = adamw_step(w, g, m, v, t, lr=0.01, beta2=0.95, weight_decay=0.1)
        np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-12, atol=1e-15)


def alternating_run(make, steps=500):
    """Two weights at 1.0, loss gradients alternating in sign: ±10 for one, ±0.01 for the other."""
    p = [np.ones(1), np.ones(1)]
    opt = make()
    for t in range(steps):
        s = (-1.0) ** t
        opt.step(p, [np.array([10.0 * s]), np.array([0.01 * s])])
    return p[0][0], p[1][0]


def test_adam_l2_decays_by_gradient_size_adamw_does_not():
    # Adam is invariant to the gradient's scale, so without decay the two weights move alike.
    # AdamW keeps it that way; with L2 inside Adam, the weight with large gradients barely decays.
    big, small = alternating_run(lambda: AdamW(lr=0.01, weight_decay=0.1))
    assert big == pytest.approx(small, rel=1e-6)
    assert 0.5 < big < 0.7  # (1 - lr·wd)^500 ≈ 0.61 times a small drift from the Adam steps
    big, small = alternating_run(lambda: Adam(lr=0.01, weight_decay=0.1))
    assert big > 0.9
    assert abs(small) < 1e-3
    # Under SGD the two are the same update: L2 in the gradient = shrinking the weight.
    l2 = alternating_run(lambda: SGD(lr=0.01, weight_decay=0.1))
    by_hand = [1.0, 1.0]
    for t in range(500):
        s = (-1.0) ** t
        by_hand = [
            w * (1 - 0.01 * 0.1) - 0.01 * g * s for w, g in zip(by_hand, (10.0, 0.01), strict=True)
        ]
    np.testing.assert_allclose(l2, by_hand, rtol=1e-12)


def sgdw_run(momentum, lr=0.1, wd=0.1, steps=500):
    """SGDW by hand on f(w) = (w - 3)² / 2: the buffer holds only the loss gradient."""
    w, buf = 0.0, None
    for _ in range(steps):
        g = w - 3.0
        buf = g if buf is None else momentum * buf + g
        w = w * (1 - lr * wd) - lr * buf
    return w


def sgd_l2_run(momentum, lr=0.1, wd=0.1, steps=500):
    p, opt = [np.zeros(1)], SGD(lr=lr, momentum=momentum, weight_decay=wd)
    for _ in range(steps):
        opt.step(p, [p[0] - 3.0])
    return p[0][0]


def test_l2_equals_decoupled_decay_only_for_sgd_without_momentum():
    assert sgd_l2_run(0.0) == pytest.approx(sgdw_run(0.0), rel=1e-12)
    assert sgd_l2_run(0.0, steps=3) == pytest.approx(sgdw_run(0.0, steps=3), rel=1e-12)
    # With momentum the L2 term sits in the buffer and is amplified by 1 / (1 - mu):
    # fixed points 3 / (1 + wd) for L2 and 3 / (1 + (1 - mu) wd) for SGDW.
    assert sgd_l2_run(0.9) == pytest.approx(3 / 1.1, rel=1e-9)
    assert sgdw_run(0.9) == pytest.approx(3 / 1.01, rel=1e-9)
    assert abs(sgd_l2_run(0.9) - sgdw_run(0.9)) > 0.2


def test_smaller_beta2_tames_the_step_after_a_gradient_spike():
    # 1000 quiet steps (g = 0.01), then g = 1: the update (in units of lr) is large when v
    # remembers the quiet past (beta2 = 0.999) and stays near 1 with beta2 = 0.95.
    sizes = {}
    for beta2 in (0.999, 0.95):
        w = m = v = 0.0
        for t in range(1, 1001):
            w, m, v = adam_step(w, 0.01, m, v, t, lr=1.0, beta2=beta2)
        w_after, _, _ = adam_step(w, 1.0, m, v, 1001, lr=1.0, beta2=beta2)
        sizes[beta2] = w - w_after
    assert sizes[0.999] > 2.5
    assert sizes[0.95] < 0.5


def test_split_weight_decay_hand_case_and_bad_input():
    params = {
        "embed.weight": np.zeros((10, 4)),
        "conv.weight": np.zeros((8, 3, 3, 3)),
        "conv.bias": np.zeros(8),
        "norm.weight": np.ones(4),
        "proj.weight": np.zeros((4, 4)),
    }
    decay, no_decay = split_weight_decay(params)
    assert decay == ["embed.weight", "conv.weight", "proj.weight"]
    assert no_decay == ["conv.bias", "norm.weight"]
    with pytest.raises(TypeError, match=r"^named_params must be a dict name -> array, got list$"):
        split_weight_decay([np.zeros(3)])
    with pytest.raises(TypeError, match=r"norm\.weight"):
        split_weight_decay({"norm.weight": [1.0, 1.0]})


def test_split_weight_decay_is_the_name_rule_on_a_torch_transformer(torch):
    # The name rule of BERT's and Hugging Face's trainers (no decay for biases and LayerNorm)
    # picks the same parameters as the ndim rule on a Transformer layer with an embedding.
    model = torch.nn.ModuleDict(
        {
            "embed": torch.nn.Embedding(11, 8),
            "layer": torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16),
            "head": torch.nn.Linear(8, 3),
        }
    )
    named = {n: p.detach().numpy() for n, p in model.named_parameters()}
    decay, no_decay = split_weight_decay(named)
    by_name = [n for n in named if n.endswith("bias") or ".norm" in n]
    assert no_decay == by_name
    assert set(decay) | set(no_decay) == set(named)
    assert not set(decay) & set(no_decay)


def defaults(function) -> dict:
    """The default value of each keyword of a function or class."""
    parameters = inspect.signature(function).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


OPTIMIZERS = [SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW]


@pytest.mark.parametrize("ours", OPTIMIZERS, ids=lambda c: c.__name__)
def test_default_construction_steps_like_pytorchs(ours):
    torch = pytest.importorskip("torch", reason="torch.optim is the reference optimizer")
    rng = np.random.default_rng(5)
    w = rng.normal(size=6)
    p = torch.tensor(w, requires_grad=True)
    theirs, mine = getattr(torch.optim, ours.__name__)([p]), ours()
    for _ in range(3):
        g = rng.normal(size=6)
        p.grad = torch.tensor(g)
        theirs.step()
        mine.step([w], [g])
    np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ours", OPTIMIZERS, ids=lambda c: c.__name__)
def test_defaults_are_pytorchs(ours):
    torch = pytest.importorskip("torch", reason="torch.optim's defaults are the reference")
    theirs = defaults(getattr(torch.optim, ours.__name__))
    assert {name: theirs[name] for name in defaults(ours)} == defaults(ours)


@pytest.mark.parametrize(
    ("step", "full"),
    [(adagrad_step, Adagrad), (rmsprop_step, RMSprop), (adam_step, Adam), (adamw_step, AdamW)],
    ids=lambda f: f.__name__,
)
def test_whiteboard_defaults_are_the_full_versions(step, full):
    expected = defaults(full)
    if "betas" in expected:
        expected["beta1"], expected["beta2"] = expected.pop("betas")
    assert {name: expected[name] for name in defaults(step)} == defaults(step)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**16))
def test_whiteboard_default_hyperparameters_step_like_the_full_optimizers(seed):
    # Called with no hyperparameters, each whiteboard step is the full optimizer's default
    # (sgd_momentum_step: lr 0.01, mu 0.9 as its signature says; the others: torch.optim's).
    rng = np.random.default_rng(seed)
    w0, grads = rng.normal(size=3), rng.normal(size=(4, 3))
    zero = np.zeros(3)
    cases = [
        (SGD(lr=0.01, momentum=0.9), sgd_momentum_step, [zero]),
        (Adagrad(), adagrad_step, [zero]),
        (RMSprop(), rmsprop_step, [zero]),
        (Adam(), adam_step, [zero, zero]),
        (AdamW(), adamw_step, [zero, zero]),
    ]
    for full, board, state in cases:
        w, board_w = w0.copy(), w0.copy()
        for t, g in enumerate(grads, start=1):
            full.step([w], [g])
            extra = [t] if board in (adam_step, adamw_step) else []
            board_w, *state = board(board_w, g, *state, *extra)
        np.testing.assert_allclose(board_w, w, rtol=1e-12, err_msg=board.__name__)
