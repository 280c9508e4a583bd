"""SFT, reward-model, PPO-reward, DPO and GRPO code against PyTorch's cross_entropy and
logsigmoid, numerical gradients, extreme margins and hand cases."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from llm.alignment import (
    dpo_loss,
    dpo_loss_grad,
    dpo_loss_whiteboard,
    grpo_advantages,
    kl_shaped_rewards,
    reward_model_loss,
    sft_loss,
)

rng = np.random.default_rng(0)


def naive_dpo(pc, pr, rc, rr, beta):
    m = beta * ((pc - rc) - (pr - rr))
    return np.mean(-np.log(1 / (1 + np.exp(-m))))


def test_dpo_hand_cases():
    z = np.zeros(4)
    assert np.isclose(dpo_loss(z, z, z, z), np.log(2))  # policy == reference
    one = np.ones(1)
    # margin beta * ((0 - (-1)) - (-1 - 0)) = 0.5 * 2 = 1: loss log(1 + e^-1)
    assert np.isclose(dpo_loss(0 * one, -one, -one, 0 * one, beta=0.5), np.log1p(np.exp(-1)))


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.just(4), st.integers(1, 6)), elements=st.floats(-50, 0)),
    st.floats(0.01, 2.0),
)
def test_dpo_matches_naive_formula_and_whiteboard(lp, beta):
    expected = naive_dpo(*lp, beta)
    assert np.isclose(dpo_loss(*lp, beta=beta), expected, rtol=1e-10)
    assert np.isclose(dpo_loss_whiteboard(*lp, beta=beta), expected, rtol=1e-10)


def test_dpo_is_finite_for_any_margin():
    big = np.array([1e6])
    zero = np.zeros(1)
    assert dpo_loss(big, -big, zero, zero) == 0.0  # naive: -log(1) after exp(-2e5) = 0, fine
    assert np.isclose(dpo_loss(-big, big, zero, zero), 0.1 * 2e6)  # naive: log(0) = inf
    with np.errstate(over="ignore", divide="ignore"):
        assert np.isinf(naive_dpo(-big, big, zero, zero, 0.1))
    assert np.isfinite(dpo_loss_whiteboard(-big, big, zero, zero))


def test_naive_formula_overflows_where_the_page_says():
    # -log sigmoid(m) = log(1 + e^{-m}): e^{-m} overflows for m < -log(max float).
    for dtype, limit in ((np.float64, -709.78), (np.float32, -88.72)):
        assert np.isclose(-np.log(np.finfo(dtype).max), limit, atol=0.01)
        with np.errstate(over="ignore"):
            assert np.isfinite(np.exp(-dtype(limit + 0.05)))
            assert np.isinf(np.exp(-dtype(limit - 0.05)))
    one = np.ones(1)
    with np.errstate(over="ignore", divide="ignore"):
        assert np.isfinite(naive_dpo(-7.09 * one, 7.09 * one, 0 * one, 0 * one, 50.0))  # m = -709
        assert np.isinf(naive_dpo(-7.11 * one, 7.11 * one, 0 * one, 0 * one, 50.0))  # m = -711
    assert np.isclose(dpo_loss(-7.11 * one, 7.11 * one, 0 * one, 0 * one, beta=50.0), 711.0)


def test_undefined_margin_is_a_value_error_without_a_runtime_warning():
    inf, zero = np.array([np.inf]), np.zeros(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "invalid value encountered" would be one
        with pytest.raises(ValueError, match="undefined margin"):
            dpo_loss(inf, inf, zero, zero)


def test_dpo_against_torch_logsigmoid():
    torch = pytest.importorskip("torch", reason="torch.nn.functional.logsigmoid is the reference")
    lp = rng.normal(size=(4, 8))
    lp[:2, :2] = [[1e6, -1e6], [-1e6, 1e6]]  # log-probs of +-1e6: margins of +-2e5 at beta 0.1
    t = [torch.from_numpy(a) for a in lp]
    margin = 0.1 * ((t[0] - t[2]) - (t[1] - t[3]))
    assert np.abs(margin.numpy()).max() >= 2e5 - 1  # the size the page claims
    expected = (-torch.nn.functional.logsigmoid(margin)).mean().item()
    assert np.isclose(dpo_loss(*lp), expected, rtol=1e-12)
    assert np.isclose(dpo_loss_whiteboard(*lp), expected, rtol=1e-12)


def test_dpo_gradient_numerically_and_with_torch():
    lp = rng.normal(size=(4, 5))
    beta, h = 0.3, 1e-6
    grad = dpo_loss_grad(*lp, beta=beta)
    for i in range(5):
        for which, sign in ((0, 1), (1, -1)):  # chosen and rejected policy log-probs
            up, down = lp.copy(), lp.copy()
            up[which, i] += h
            down[which, i] -= h
            numeric = (dpo_loss(*up, beta=beta) - dpo_loss(*down, beta=beta)) / (2 * h)
            assert np.isclose(numeric, sign * grad[i], rtol=1e-5, atol=1e-10)
    torch = pytest.importorskip("torch", reason="autograd as a second reference")
    pc = torch.tensor(lp[0], requires_grad=True)
    margin = beta * ((pc - torch.tensor(lp[2])) - (torch.tensor(lp[1]) - torch.tensor(lp[3])))
    (-torch.nn.functional.logsigmoid(margin)).mean().backward()
    np.testing.assert_allclose(grad, pc.grad.numpy(), rtol=1e-12)


def test_dpo_gradient_vanishes_once_the_pair_is_ranked():
    big = np.array([1e6])
    assert dpo_loss_grad(big, -big, 0 * big, 0 * big)[0] == 0.0  # sigma(-m) -> 0
    assert np.isclose(dpo_loss_grad(-big, big, 0 * big, 0 * big)[0], -0.1)  # sigma(-m) -> 1
    z = np.zeros(1)
    assert dpo_loss_grad(z, z, z, z)[0] == -0.1 * 0.5  # m = 0: sigma(0) = 1/2, not 1
    m = np.linspace(-5, 5, 11)  # weights grow as the margin falls
    assert (np.diff(-dpo_loss_grad(m, 0 * m, 0 * m, 0 * m)) < 0).all()


def test_reward_model_loss():
    assert np.isclose(reward_model_loss(np.array([2.0]), np.array([0.0])), np.log1p(np.exp(-2)))
    assert np.isclose(reward_model_loss(np.array([-1e6]), np.array([1e6])), 2e6)
    assert np.isclose(reward_model_loss([2], [0]), np.log1p(np.exp(-2)))  # integer scores
    torch = pytest.importorskip("torch", reason="logsigmoid is the reference")
    c, r = rng.normal(size=6), rng.normal(size=6)
    expected = -torch.nn.functional.logsigmoid(torch.from_numpy(c - r)).mean().item()
    assert np.isclose(reward_model_loss(c, r), expected, rtol=1e-12)


def test_kl_shaped_rewards_sum_to_score_minus_beta_kl():
    policy, ref = np.log([0.5, 0.2, 0.9]), np.log([0.25, 0.4, 0.6])
    r = kl_shaped_rewards(1.5, policy, ref, beta=0.1)
    np.testing.assert_allclose(r[:2], -0.1 * (policy[:2] - ref[:2]))
    # The last token's log-ratio is not 0: the score is added to its KL penalty, not put instead.
    assert not np.isclose(policy[-1], ref[-1])
    assert np.isclose(r[-1], 1.5 - 0.1 * (policy[-1] - ref[-1]))
    assert np.isclose(r.sum(), 1.5 - 0.1 * np.sum(policy - ref))
    # InstructGPT's default coefficient, beta = 0.02.
    default = kl_shaped_rewards(1.5, policy, ref)
    np.testing.assert_allclose(default[:2], -0.02 * (policy[:2] - ref[:2]))


def test_sft_loss_only_on_response_tokens_against_torch():
    logits = rng.normal(size=(7, 11))
    labels = np.array([-100, -100, -100, 3, 5, 0, -100])  # prompt masked, one pad at the end
    kept = [3, 4, 5]
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    by_hand = -np.mean([log_p[t, labels[t]] for t in kept])
    assert np.isclose(sft_loss(logits, labels), by_hand)
    torch = pytest.importorskip(
        "torch", reason="F.cross_entropy(ignore_index=-100) is the reference"
    )
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(labels), ignore_index=-100
    ).item()
    assert np.isclose(sft_loss(logits, labels), expected, rtol=1e-12)


def test_grpo_advantages():
    adv = grpo_advantages(np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(adv[0], [1, -1, -1, 1], atol=1e-6)
    np.testing.assert_allclose(adv.mean(axis=1), 0, atol=1e-12)  # zero mean within a group
    assert adv[1, 3] > 0 > adv[1, 0]
    np.testing.assert_array_equal(grpo_advantages(np.ones((1, 3))), 0)  # all equal: no signal
    np.testing.assert_allclose(grpo_advantages([[3, 1]]), [[1, -1]], rtol=1e-6)  # G = 2 is enough


def test_grpo_eps_keeps_tiny_reward_differences_small():
    # std 5e-9: (r - mean) / (std + eps) = +-5e-9 / 1.5e-8, not +-1 as a bare z-score would give.
    np.testing.assert_allclose(grpo_advantages([[0.0, 1e-8]]), [[-1 / 3, 1 / 3]], rtol=1e-6)


def test_grpo_std_convention_against_torch():
    r = rng.normal(size=(3, 5))
    by_hand = (r - r.mean(1, keepdims=True)) / np.sqrt(
        ((r - r.mean(1, keepdims=True)) ** 2).mean(1)
    )[:, None]
    np.testing.assert_allclose(grpo_advantages(r, eps=0.0), by_hand, rtol=1e-12)  # ddof 0
    np.testing.assert_allclose(grpo_advantages(r, ddof=1), by_hand * np.sqrt(4 / 5), rtol=1e-6)
    torch = pytest.importorskip("torch", reason="torch.std (TRL's GRPOTrainer) is the reference")
    t = torch.from_numpy(r)
    trl = (t - t.mean(dim=1, keepdim=True)) / t.std(dim=1, keepdim=True)  # unbiased by default
    np.testing.assert_allclose(grpo_advantages(r, eps=0.0, ddof=1), trl.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: dpo_loss(np.zeros(2), np.zeros(3), np.zeros(2), np.zeros(2)),
            ValueError,
            r"policy_rejected_logps must be 1-D with the same non-zero length, got \(3,\)",
        ),
        (
            lambda: dpo_loss(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0)),
            ValueError,
            r"policy_chosen_logps must be 1-D with the same non-zero length, got \(0,\)",
        ),
        (
            lambda: dpo_loss(*np.zeros((4, 2)), beta=0.0),
            ValueError,
            "beta must be a finite number > 0, got 0.0",
        ),
        (
            lambda: dpo_loss(*np.zeros((4, 2)), beta=np.inf),
            ValueError,
            "finite number > 0, got inf",
        ),
        (
            lambda: dpo_loss(*np.zeros((4, 2)), beta="0.1"),
            TypeError,
            "beta must be a number, got str",
        ),
        (lambda: dpo_loss(*np.zeros((4, 2)), beta=True), TypeError, "number, got bool"),
        (
            lambda: dpo_loss(np.array(["a"]), *np.zeros((3, 1))),
            TypeError,
            "policy_chosen_logps must be an array of real numbers, got dtype <U1",
        ),
        (lambda: dpo_loss(np.array([True]), *np.zeros((3, 1))), TypeError, "got dtype bool"),
        (lambda: dpo_loss(np.array([1j]), *np.zeros((3, 1))), TypeError, "got dtype complex128"),
        (
            lambda: dpo_loss(np.array([np.nan]), *np.zeros((3, 1))),
            ValueError,
            "policy_chosen_logps contains NaN",
        ),
        (
            lambda: dpo_loss(np.array([np.inf]), np.array([np.inf]), *np.zeros((2, 1))),
            ValueError,
            r"^log-probabilities give an undefined margin \(inf - inf\)$",
        ),
        (
            lambda: reward_model_loss(np.zeros((2, 2)), np.zeros((2, 2))),
            ValueError,
            r"chosen_rewards must be 1-D with the same non-zero length, got \(2, 2\)",
        ),
        (
            lambda: sft_loss(np.zeros((3, 4)), np.array([-100, -100, -100])),
            ValueError,
            "^every label is ignore_index: no response token to learn from$",
        ),
        (
            lambda: sft_loss(np.zeros((3, 4)), np.array([0, 4, 1])),
            ValueError,
            r"labels must be in \[0, 4\) or ignore_index",
        ),
        (
            lambda: sft_loss(np.zeros((3, 4)), np.array([0, -1, 1])),
            ValueError,
            r"labels must be in \[0, 4\) or ignore_index",
        ),
        (
            lambda: sft_loss(np.zeros((3, 4)), np.array([0.0, 1.0, 1.0])),
            TypeError,
            "labels must be integers, got dtype float64",
        ),
        (
            lambda: sft_loss(np.zeros((3, 4)), np.array([0, 1])),
            ValueError,
            r"need logits \(T, V\) and labels \(T,\), got \(3, 4\), \(2,\)",
        ),
        (
            lambda: sft_loss(np.zeros(3), np.array([0, 1, 2])),
            ValueError,
            r"need logits \(T, V\) and labels \(T,\), got \(3,\), \(3,\)",
        ),
        (
            lambda: sft_loss(np.array([["a", "b"]]), np.array([0])),
            TypeError,
            "logits must be an array of real numbers, got dtype <U1",
        ),
        (
            lambda: kl_shaped_rewards(np.nan, np.zeros(2), np.zeros(2)),
            ValueError,
            "score must be finite, got nan",
        ),
        (
            lambda: grpo_advantages(np.ones((2, 1))),
            ValueError,
            r"rewards must be \(n_prompts, group_size >= 2\), got \(2, 1\)",
        ),
        (
            lambda: grpo_advantages([["a", "b"]]),
            TypeError,
            "rewards must be an array of real numbers, got dtype <U1",
        ),
        (lambda: grpo_advantages(np.ones(3)), ValueError, r"group_size >= 2\), got \(3,\)"),
        (
            lambda: grpo_advantages(np.ones((2, 3)), ddof=2),
            ValueError,
            "ddof must be 0 or 1, got 2",
        ),
        (lambda: grpo_advantages(np.ones((2, 3)), ddof=True), ValueError, "0 or 1, got True"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
