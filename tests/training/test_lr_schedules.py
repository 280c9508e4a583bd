"""Schedules against closed-form hand values and torch.optim.lr_scheduler (WSD: hand cases)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from training.lr_schedules import (
    cosine_decay,
    exponential_decay,
    linear_warmup,
    natural_exp_decay,
    one_cycle,
    polynomial_decay,
    warmup_cosine,
    wsd,
)


def test_hand_values():
    assert exponential_decay(1.0, 30, 10, 0.5) == pytest.approx(0.125)
    assert exponential_decay(1.0, 5, 10, 0.25) == pytest.approx(0.5)
    assert exponential_decay(1.0, 19, 10, 0.5, staircase=True) == pytest.approx(0.5)
    # natural exp: step is divided by decay_steps, as in tf natural_exp_decay
    assert natural_exp_decay(2.0, 50, 100, 2.0) == pytest.approx(2.0 * math.exp(-1.0))
    assert natural_exp_decay(2.0, 150, 100, 1.0, staircase=True) == pytest.approx(2 / math.e)
    assert polynomial_decay(1.0, 25, 100, end_lr=0.0, power=2.0) == pytest.approx(0.5625)
    assert polynomial_decay(1.0, 25, 100, end_lr=0.2, power=1.0) == pytest.approx(0.8)
    # cycle: at step 150 the horizon is stretched to 200
    assert polynomial_decay(1.0, 150, 100, 0.0, cycle=True) == pytest.approx(0.25)
    assert polynomial_decay(1.0, 0, 100, 0.0, cycle=True) == pytest.approx(1.0)
    assert polynomial_decay(1.0, 50, 100, 0.0, cycle=True) == pytest.approx(0.5)  # 1st cycle
    assert polynomial_decay(1.0, 200, 100) == pytest.approx(1e-4)  # default end_lr
    assert cosine_decay(1.0, 100 / 3, 100) == pytest.approx(0.75)
    assert cosine_decay(1.0, 100, 100, alpha=0.1) == pytest.approx(0.1)
    assert cosine_decay(1.0, 500, 100, alpha=0.1) == pytest.approx(0.1)  # held afterwards
    assert linear_warmup(1.0, 2, 8, start_factor=0.2) == pytest.approx(0.4)
    assert linear_warmup(1.0, 0, 8) == 0.0  # by default the warmup starts from 0
    assert linear_warmup(1.0, 3, 8, start_factor=1.0) == 1.0  # start_factor 1: no warmup
    assert warmup_cosine(1.0, 0, 10, 20) == 0.0
    assert warmup_cosine(1.0, 5, 10, 20) == pytest.approx(0.5)
    assert warmup_cosine(1.0, 0, 10, 20, start_factor=0.2) == pytest.approx(0.2)
    assert warmup_cosine(1.0, 10, 10, 20) == pytest.approx(1.0)
    assert warmup_cosine(1.0, 15, 10, 20) == pytest.approx(0.5)
    assert warmup_cosine(1.0, 20, 10, 20, alpha=0.1) == pytest.approx(0.1)
    assert warmup_cosine(1.0, 1, 1, 11) == pytest.approx(1.0)  # a one-step warmup is allowed


def test_exponential_and_natural_exp_are_the_same_family():
    step = np.arange(0, 200, 7)
    np.testing.assert_allclose(
        natural_exp_decay(0.3, step, 40, 0.7), exponential_decay(0.3, step, 40, math.exp(-0.7))
    )


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-4, 1.0), st.integers(1, 500), st.integers(0, 2000))
def test_schedules_stay_between_end_and_start(lr, decay_steps, step):
    for value in (
        exponential_decay(lr, step, decay_steps, 0.9),
        natural_exp_decay(lr, step, decay_steps, 0.5),
        polynomial_decay(lr, step, decay_steps, end_lr=lr / 10),
        cosine_decay(lr, step, decay_steps),
    ):
        assert 0.0 <= value <= lr * (1 + 1e-12)


def torch_lrs(torch, make_scheduler, steps, lr=0.1):
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr)
    sched = make_scheduler(opt)
    values = []
    for _ in range(steps):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(values)


def test_matches_torch_schedulers():
    torch = pytest.importorskip("torch", reason="torch.optim.lr_scheduler is the reference")
    sch = torch.optim.lr_scheduler
    t = np.arange(60)
    np.testing.assert_allclose(
        torch_lrs(torch, lambda o: sch.ExponentialLR(o, gamma=0.95), 60),
        exponential_decay(0.1, t, 1, 0.95),
    )
    np.testing.assert_allclose(
        torch_lrs(torch, lambda o: sch.StepLR(o, step_size=7, gamma=0.5), 60),
        exponential_decay(0.1, t, 7, 0.5, staircase=True),
    )
    np.testing.assert_allclose(
        torch_lrs(torch, lambda o: sch.CosineAnnealingLR(o, T_max=50, eta_min=0.01), 51),
        cosine_decay(0.1, t[:51], 50, alpha=0.1),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        torch_lrs(torch, lambda o: sch.PolynomialLR(o, total_iters=40, power=2.0), 60),
        polynomial_decay(0.1, t, 40, end_lr=0.0, power=2.0),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        torch_lrs(torch, lambda o: sch.LinearLR(o, start_factor=0.25, total_iters=8), 20),
        linear_warmup(0.1, t[:20], 8, start_factor=0.25),
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: exponential_decay(0.0, 1, 10, 0.5), "lr"),
        (lambda: natural_exp_decay(0.1, 1, 0, 0.5), "decay_steps"),
        (lambda: cosine_decay(0.1, -1, 10), "^step must be finite and >= 0$"),
        (lambda: polynomial_decay(0.1, np.nan, 10), "^step must be finite"),
        (lambda: linear_warmup(0.1, 1, 10, start_factor=2.0), "start_factor"),
        (lambda: warmup_cosine(0.1, 1, 10, 10), "warmup_steps"),
        (lambda: warmup_cosine(0.1, 1, 0, 10), "warmup_steps"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_torch_cosine_annealing_rises_again_after_t_max():
    # The page's pitfall: CosineAnnealingLR equals cosine_decay only up to T_max; past it
    # PyTorch's curve climbs back to the initial rate at 2 T_max, cosine_decay holds eta_min.
    torch = pytest.importorskip("torch", reason="torch.optim.lr_scheduler is the reference")
    sch = torch.optim.lr_scheduler
    lrs = torch_lrs(torch, lambda o: sch.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 31)
    ours = cosine_decay(0.1, np.arange(31), 10, alpha=0.1)
    np.testing.assert_allclose(lrs[:11], ours[:11], atol=1e-12)
    np.testing.assert_allclose(ours[10:], 0.01)
    assert np.all(np.diff(lrs[10:21]) > 0)
    assert lrs[20] == pytest.approx(0.1)
    np.testing.assert_allclose(lrs[20:], lrs[:11], atol=1e-12)  # period 2 T_max


def test_sgd_noise_floor_loss_scales_with_lr_radius_with_its_square_root():
    # The page's opening claim, on f(w) = a w² / 2 with gradient noise of std sigma: at
    # stationarity the excess loss is proportional to lr and the distance to sqrt(lr).
    rng = np.random.default_rng(0)
    a, sigma, chains = 2.0, 1.0, 4000
    mean_square = {}
    for lr in (0.01, 0.04):
        w = np.ones(chains)
        for _ in range(1000):  # 20 relaxation times 1 / (lr a) for the smaller lr
            w -= lr * (a * w + sigma * rng.standard_normal(chains))
        mean_square[lr] = np.mean(w**2)
        # the stationary variance of w <- (1 - lr a) w - lr sigma xi
        assert mean_square[lr] == pytest.approx(lr * sigma**2 / (a * (2 - lr * a)), rel=0.1)
    loss_ratio = mean_square[0.04] / mean_square[0.01]  # excess loss a E[w²] / 2
    assert loss_ratio == pytest.approx(4, rel=0.15)
    assert math.sqrt(loss_ratio) == pytest.approx(2, rel=0.08)  # radius sqrt(E[w²]): not 4


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"three_phase": True},
        {"anneal_strategy": "linear", "pct_start": 0.25},
        {"three_phase": True, "anneal_strategy": "linear", "div_factor": 10.0},
        {"pct_start": 0.5, "final_div_factor": 100.0},
    ],
    ids=str,
)
@pytest.mark.parametrize("total", [10, 37, 100])
def test_one_cycle_matches_torch(torch, kwargs, total):
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=total, **kwargs)
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(one_cycle(0.1, np.arange(total), total, **kwargs), lrs, atol=1e-15)


def test_one_cycle_stepped_per_epoch(torch):
    # Built for epochs × steps_per_epoch calls but stepped once per epoch: only the first
    # 10 of 500 steps are used and the peak (step 149) is never reached.
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=10, steps_per_epoch=50)
    lrs = []
    for _ in range(10):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert max(lrs) < 0.005  # the start value 0.1 / 25 = 0.004 barely moved
    np.testing.assert_allclose(lrs, one_cycle(0.1, np.arange(10), 500), atol=1e-15)
    # total_steps = epochs: the same shape, warmup still 30 % of the run, only coarser.
    per_epoch = one_cycle(0.1, np.arange(10), 10)
    assert per_epoch.max() == pytest.approx(0.1)
    assert int(np.argmax(per_epoch)) == 2  # 0.3 · 10 - 1
    assert int(np.argmax(one_cycle(0.1, np.arange(500), 500))) == 149  # 0.3 · 500 - 1


def test_one_cycle_turns_on_momentum_in_plain_sgd(torch):
    # cycle_momentum=True on SGD(momentum=0): no error, momentum silently becomes 0.95 -> 0.85.
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=0.1)
    assert opt.param_groups[0]["momentum"] == 0
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100)
    momenta = []
    for _ in range(100):
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    assert momenta[0] == pytest.approx(0.95)
    assert min(momenta) == pytest.approx(0.85)
    # An optimizer with neither momentum nor betas (Adagrad) raises instead.
    with pytest.raises(ValueError, match="momentum"):
        torch.optim.lr_scheduler.OneCycleLR(
            torch.optim.Adagrad([param], lr=0.1), max_lr=0.1, total_steps=10
        )


def test_one_cycle_hand_values():
    # Defaults: start at max_lr / 25, peak at step 0.3 · 100 - 1 = 29, end at max_lr / 25 / 1e4.
    assert one_cycle(1.0, 0, 100) == pytest.approx(0.04)
    assert one_cycle(1.0, 29, 100) == pytest.approx(1.0)
    assert one_cycle(1.0, 99, 100) == pytest.approx(4e-6)
    # Halfway up the cosine: the mean of start and peak.
    assert one_cycle(1.0, 14.5, 100) == pytest.approx((0.04 + 1.0) / 2)
    assert one_cycle(1.0, 14.5, 100, anneal_strategy="linear") == pytest.approx(0.52)
    # Three phases: back at the start value at step 2 · 30 - 2 = 58, then down to the end.
    assert one_cycle(1.0, 58, 100, three_phase=True) == pytest.approx(0.04)
    # A warmup phase one step long is fine: the peak is at step 0.2 · 10 - 1 = 1.
    assert one_cycle(1.0, 1, 10, pct_start=0.2) == pytest.approx(1.0)


def test_wsd_hand_values():
    lrs = wsd(1.0, np.arange(11), warmup_steps=2, total_steps=10, decay_steps=4)
    assert lrs.tolist() == [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    # 1-sqrt is below linear in the decay phase; cosine above it in the first half.
    assert wsd(1.0, 8, 2, 10, 4, decay_shape="1-sqrt") == pytest.approx(1 - math.sqrt(0.5))
    assert wsd(1.0, 7, 2, 10, 4, decay_shape="cosine") == pytest.approx(
        0.5 * (1 + math.cos(math.pi / 4))
    )
    assert wsd(1.0, 10, 2, 10, 4, min_lr=0.1) == pytest.approx(0.1)
    assert wsd(1.0, 3, 0, 10, 4) == 1.0  # no warmup: stable from the first step
    assert wsd(1.0, 0, 0, 10, 4) == 1.0
    assert wsd(1.0, 0.5, 1, 10, 4) == pytest.approx(0.5)  # halfway through a 1-step warmup
    assert wsd(1.0, 8, 2, 10, 4, min_lr=0.2) == pytest.approx(0.6)  # halfway to min_lr
    assert wsd(1.0, [12, 20], 2, 10, 4).tolist() == [0.0, 0.0]  # held at min_lr afterwards
    # Boundaries: no stable phase, a one-step decay, decay from step 0, min_lr = lr.
    assert wsd(1.0, [2, 6], 2, 10, 8).tolist() == [1.0, 0.5]
    assert wsd(1.0, [9, 10], 2, 10, 1).tolist() == [1.0, 0.0]
    assert wsd(1.0, 5, 0, 10, 10) == pytest.approx(0.5)
    assert wsd(1.0, 10, 2, 10, 4, min_lr=1.0) == 1.0
    # The stable phase is flat, so a run can branch off it and decay at any step:
    # the curve up to the branch point does not depend on the total length.
    long, short = wsd(1.0, np.arange(60), 5, 100, 20), wsd(1.0, np.arange(60), 5, 60, 20)
    np.testing.assert_array_equal(long[:40], short[:40])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: one_cycle(0.1, 10, 10), r"^step must be <= total_steps - 1 = 9$"),
        (lambda: one_cycle(0.1, 1, 10, pct_start=0.0), r"^pct_start must be in \(0, 1\)"),
        (lambda: one_cycle(0.1, 1, 10, pct_start=1.0), r"^pct_start must be in \(0, 1\)"),
        (lambda: one_cycle(0.1, 1, 10, anneal_strategy="exp"), "anneal_strategy"),
        (lambda: one_cycle(0.1, 1, 3, pct_start=0.3), "^total_steps is too small"),
        (lambda: one_cycle(0.1, 1, 10, pct_start=0.1), "^total_steps is too small"),  # 0 steps
        (lambda: one_cycle(-0.1, 1, 10), "lr"),
        (lambda: wsd(0.1, 1, 8, 10, 4), "warmup_steps"),
        (lambda: wsd(0.1, 1, 2, 10, 0), "decay_steps"),
        (lambda: wsd(0.1, 1, 2, 10, 4, min_lr=0.2), "min_lr"),
        (lambda: wsd(0.1, 1, 2, 10, 4, decay_shape="exp"), "decay_shape"),
    ],
)
def test_one_cycle_and_wsd_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
