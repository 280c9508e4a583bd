"""Alignment losses in numpy: the SFT loss on response tokens, the Bradley–Terry reward-model
loss, InstructGPT's per-token KL-shaped reward for PPO, the DPO loss (finite for any margin)
and its gradient, and GRPO's group-relative advantages."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def dpo_loss_whiteboard(pi_c, pi_r, ref_c, ref_r, beta=0.1):
    margin = beta * ((pi_c - ref_c) - (pi_r - ref_r))  # 隐式奖励之差
    return np.mean(np.logaddexp(0, -margin))  # -log σ(m) = log(1 + e^{-m})，不会溢出


# --8<-- [end:whiteboard]


# --8<-- [start:check]
def _as_float_array(name: str, x: object) -> np.ndarray:
    """x as a float64 array; TypeError for anything that is not real numbers."""
    a = np.asarray(x)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(np.float64)  # pragma: no mutate (astype(None) is float64 too)


def _same_shape(**arrays: object) -> list[np.ndarray]:
    """The arrays as float64, all of one non-empty 1-D shape (one value per pair)."""
    out = [_as_float_array(name, a) for name, a in arrays.items()]
    shape = out[0].shape
    for name, a in zip(arrays, out, strict=True):  # pragma: no mutate (out is one per array)
        if a.ndim != 1 or a.shape != shape or a.size == 0:
            raise ValueError(f"{name} must be 1-D with the same non-zero length, got {a.shape}")
        if np.isnan(a).any():
            raise ValueError(f"{name} contains NaN")
    return out


def _beta(beta: object) -> float:
    if isinstance(beta, bool) or not isinstance(beta, int | float | np.integer | np.floating):
        raise TypeError(f"beta must be a number, got {type(beta).__name__}")
    if not (np.isfinite(beta) and beta > 0):
        raise ValueError(f"beta must be a finite number > 0, got {beta}")
    return float(beta)


# --8<-- [end:check]


# --8<-- [start:sft]
def sft_loss(logits: np.ndarray, labels: np.ndarray, ignore_index: int = -100) -> float:
    """Mean next-token cross-entropy over positions whose label is not ignore_index.

    logits (T, V) predict labels (T,); prompt and padding positions carry ignore_index, so
    only response tokens count (labels already shifted by one, as after HF's shift).
    """
    logits = _as_float_array("logits", logits)
    labels = np.asarray(labels)
    if logits.ndim != 2 or labels.shape != logits.shape[:1]:
        raise ValueError(f"need logits (T, V) and labels (T,), got {logits.shape}, {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    keep = labels != ignore_index
    if not keep.any():
        raise ValueError("every label is ignore_index: no response token to learn from")
    if labels[keep].min() < 0 or labels[keep].max() >= logits.shape[1]:
        raise ValueError(f"labels must be in [0, {logits.shape[1]}) or ignore_index")
    z = logits[keep]
    log_z = np.logaddexp.reduce(z, axis=1)
    return float(np.mean(log_z - z[np.arange(len(z)), labels[keep]]))


# --8<-- [end:sft]


# --8<-- [start:reward]
def reward_model_loss(chosen_rewards: np.ndarray, rejected_rewards: np.ndarray) -> float:
    """Bradley–Terry loss: mean of -log sigmoid(r_chosen - r_rejected)."""
    chosen, rejected = _same_shape(chosen_rewards=chosen_rewards, rejected_rewards=rejected_rewards)
    return float(np.mean(np.logaddexp(0.0, -(chosen - rejected))))


def kl_shaped_rewards(
    score: float, policy_logps: np.ndarray, reference_logps: np.ndarray, beta: float = 0.02
) -> np.ndarray:
    """Per-token PPO rewards as in InstructGPT: -beta (log pi - log pi_ref) at every token,
    plus the reward model's score on the last token of the response."""
    policy, reference = _same_shape(policy_logps=policy_logps, reference_logps=reference_logps)
    if not np.isfinite(score):
        raise ValueError(f"score must be finite, got {score}")
    rewards = -_beta(beta) * (policy - reference)  # per-token estimate of the KL penalty
    rewards[-1] += score
    return rewards


# --8<-- [end:reward]


# --8<-- [start:dpo]
def dpo_loss(
    policy_chosen_logps: np.ndarray,
    policy_rejected_logps: np.ndarray,
    reference_chosen_logps: np.ndarray,
    reference_rejected_logps: np.ndarray,
    beta: float = 0.1,
) -> float:
    """Mean of -log sigmoid(beta [(pi_c - ref_c) - (pi_r - ref_r)]) over the pairs.

    Inputs are summed log-probabilities of each whole response, one per pair.
    """
    pc, pr, rc, rr = _same_shape(
        policy_chosen_logps=policy_chosen_logps,
        policy_rejected_logps=policy_rejected_logps,
        reference_chosen_logps=reference_chosen_logps,
        reference_rejected_logps=reference_rejected_logps,
    )
    with np.errstate(invalid="ignore"):
        margin = _beta(beta) * ((pc - rc) - (pr - rr))
    if np.isnan(margin).any():
        raise ValueError("log-probabilities give an undefined margin (inf - inf)")
    return float(np.mean(np.logaddexp(0.0, -margin)))  # softplus(-m): finite for any margin


def dpo_loss_grad(policy_chosen_logps, policy_rejected_logps, ref_chosen, ref_rejected, beta=0.1):
    """d loss / d policy_chosen_logps (the rejected one is its negative): -beta sigmoid(-m) / n."""
    pc, pr, rc, rr = _same_shape(
        a=policy_chosen_logps, b=policy_rejected_logps, c=ref_chosen, d=ref_rejected
    )
    margin = _beta(beta) * ((pc - rc) - (pr - rr))
    weight = np.exp(-np.logaddexp(0.0, margin))  # sigmoid(-m), stable for large |m|
    return -beta * weight / len(pc)


# --8<-- [end:dpo]


# --8<-- [start:grpo]
def grpo_advantages(rewards: np.ndarray, eps: float = 1e-8, ddof: int = 0) -> np.ndarray:
    """Outcome-supervised GRPO: each answer's reward normalised within its group,
    (r - mean) / (std + eps); rewards is (n_prompts, group_size).

    ddof 0 divides the variance by G (population std); TRL's GRPOTrainer uses torch.std,
    i.e. ddof 1 (divides by G - 1).
    """
    r = _as_float_array("rewards", rewards)
    if r.ndim != 2 or r.shape[1] < 2:
        raise ValueError(f"rewards must be (n_prompts, group_size >= 2), got {r.shape}")
    if isinstance(ddof, bool) or ddof not in (0, 1):
        raise ValueError(f"ddof must be 0 or 1, got {ddof!r}")
    std = r.std(axis=1, keepdims=True, ddof=ddof)
    return (r - r.mean(axis=1, keepdims=True)) / (std + eps)


# --8<-- [end:grpo]


if __name__ == "__main__":
    z = np.zeros(3)
    assert np.isclose(dpo_loss(z, z, z, z), np.log(2))  # policy = reference: loss log 2
    big = np.array([1e6])
    assert dpo_loss(big, -big, 0 * big, 0 * big) == 0.0  # huge margin: finite, zero
    assert np.isclose(dpo_loss(-big, big, 0 * big, 0 * big), 0.1 * 2e6)  # no overflow
    assert np.isclose(reward_model_loss(np.array([1.0]), np.array([1.0])), np.log(2))
    print("DPO loss on random log-probs:", dpo_loss(*np.random.default_rng(0).normal(size=(4, 5))))
