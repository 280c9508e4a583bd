"""Learning-rate schedules as functions of the step (TensorFlow names and formulas), vectorised."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:check]
def _check(lr: float, step, decay_steps: float) -> np.ndarray:
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr}")
    if not decay_steps > 0:
        raise ValueError(f"decay_steps must be > 0, got {decay_steps}")
    step = np.asarray(step, dtype=np.float64)
    if not np.isfinite(step).all() or (step < 0).any():
        raise ValueError("step must be finite and >= 0")
    return step


# --8<-- [end:check]


# --8<-- [start:decays]
def exponential_decay(
    lr: float, step, decay_steps: float, decay_rate: float, staircase: bool = False
) -> np.ndarray:
    """lr · decay_rate^(step / decay_steps); staircase floors the exponent."""
    step = _check(lr, step, decay_steps)
    p = step / decay_steps
    return lr * decay_rate ** (np.floor(p) if staircase else p)


def natural_exp_decay(
    lr: float, step, decay_steps: float, decay_rate: float, staircase: bool = False
) -> np.ndarray:
    """lr · exp(-decay_rate · step / decay_steps): the same curve with base e."""
    step = _check(lr, step, decay_steps)
    p = step / decay_steps
    return lr * np.exp(-decay_rate * (np.floor(p) if staircase else p))


def polynomial_decay(
    lr: float,
    step,
    decay_steps: float,
    end_lr: float = 1e-4,
    power: float = 1.0,
    cycle: bool = False,
) -> np.ndarray:
    """(lr - end_lr) · (1 - step / decay_steps)^power + end_lr, held at end_lr afterwards."""
    step = _check(lr, step, decay_steps)
    if cycle:  # restart: stretch decay_steps to the next multiple above step
        decay_steps = decay_steps * np.maximum(np.ceil(step / decay_steps), 1.0)
    else:
        step = np.minimum(step, decay_steps)
    return (lr - end_lr) * (1 - step / decay_steps) ** power + end_lr


def cosine_decay(lr: float, step, decay_steps: float, alpha: float = 0.0) -> np.ndarray:
    """lr · ((1 - alpha) · ½(1 + cos(π step / decay_steps)) + alpha), held after decay_steps."""
    step = np.minimum(_check(lr, step, decay_steps), decay_steps)
    cosine = 0.5 * (1 + np.cos(np.pi * step / decay_steps))
    return lr * ((1 - alpha) * cosine + alpha)


# --8<-- [end:decays]


# --8<-- [start:warmup]
def linear_warmup(lr: float, step, warmup_steps: float, start_factor: float = 0.0) -> np.ndarray:
    """Ramp linearly from start_factor · lr to lr over warmup_steps, then stay at lr."""
    step = _check(lr, step, warmup_steps)
    if not 0.0 <= start_factor <= 1.0:
        raise ValueError(f"start_factor must be in [0, 1], got {start_factor}")
    frac = np.minimum(step, warmup_steps) / warmup_steps
    return lr * (start_factor + (1 - start_factor) * frac)


def warmup_cosine(
    lr: float,
    step,
    warmup_steps: float,
    total_steps: float,
    start_factor: float = 0.0,
    alpha: float = 0.0,
) -> np.ndarray:
    """Linear warmup for warmup_steps, then cosine decay over the remaining steps."""
    if not 0 < warmup_steps < total_steps:
        raise ValueError(f"need 0 < warmup_steps < total_steps, got {warmup_steps}, {total_steps}")
    step = _check(lr, step, total_steps)
    warm = linear_warmup(lr, step, warmup_steps, start_factor)
    decay = cosine_decay(lr, np.maximum(step - warmup_steps, 0), total_steps - warmup_steps, alpha)
    return np.where(step < warmup_steps, warm, decay)


# --8<-- [end:warmup]


# --8<-- [start:one_cycle]
def one_cycle(
    max_lr: float,
    step,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> np.ndarray:
    """Learning rate of torch.optim.lr_scheduler.OneCycleLR at each step (0 .. total_steps - 1)."""
    step = _check(max_lr, step, total_steps)
    if not 0.0 < pct_start < 1.0:
        raise ValueError(f"pct_start must be in (0, 1), got {pct_start}")
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
    if (step > total_steps - 1).any():
        raise ValueError(f"step must be <= total_steps - 1 = {total_steps - 1}")
    initial = max_lr / div_factor  # where the cycle starts
    final = initial / final_div_factor  # where it ends, far below the start
    peak = pct_start * total_steps - 1  # the step at which max_lr is reached
    if three_phase:  # up, back down to initial by 2·peak, then down to final
        ends, lrs = [peak, 2 * pct_start * total_steps - 2], [initial, max_lr, initial]
    else:  # up, then down to final
        ends, lrs = [peak], [initial, max_lr]
    ends, lrs = [0.0, *ends, total_steps - 1.0], [*lrs, final]
    if not np.all(np.diff(ends) > 0):
        raise ValueError("total_steps is too small for pct_start: a phase would be empty")
    out = np.empty_like(step)
    for i in range(len(ends) - 1):
        last = i == len(ends) - 2
        in_phase = (step >= ends[i]) & ((step <= ends[i + 1]) | last)
        pct = (step[in_phase] - ends[i]) / (ends[i + 1] - ends[i])
        start, end = lrs[i], lrs[i + 1]
        if anneal_strategy == "cos":
            out[in_phase] = end + (start - end) / 2 * (1 + np.cos(np.pi * pct))
        else:
            out[in_phase] = start + (end - start) * pct
    return out


# --8<-- [end:one_cycle]


# --8<-- [start:wsd]
def wsd(
    lr: float,
    step,
    warmup_steps: int,
    total_steps: int,
    decay_steps: int,
    min_lr: float = 0.0,
    decay_shape: str = "linear",
) -> np.ndarray:
    """Warmup-stable-decay: linear warmup to lr, hold lr, then decay to min_lr in the last steps."""
    step = _check(lr, step, total_steps)
    stable_end = total_steps - decay_steps
    if not (0 <= warmup_steps <= stable_end and 0 < decay_steps <= total_steps):
        raise ValueError(
            f"need 0 <= warmup_steps <= total_steps - decay_steps and decay_steps > 0, got "
            f"warmup_steps={warmup_steps}, decay_steps={decay_steps}, total_steps={total_steps}"
        )
    if not 0.0 <= min_lr <= lr:
        raise ValueError(f"min_lr must be in [0, lr], got {min_lr}")
    warm = lr * step / max(warmup_steps, 1)  # used only where step < warmup_steps
    frac = np.clip((step - stable_end) / decay_steps, 0.0, 1.0)  # 0 until the decay starts
    if decay_shape == "linear":
        shape = 1 - frac
    elif decay_shape == "1-sqrt":  # Hägele et al. 2024: slightly better than linear
        shape = 1 - np.sqrt(frac)
    elif decay_shape == "cosine":
        shape = 0.5 * (1 + np.cos(np.pi * frac))
    else:
        raise ValueError(f"decay_shape must be 'linear', '1-sqrt' or 'cosine', got {decay_shape!r}")
    decayed = min_lr + (lr - min_lr) * shape
    return np.where(step < warmup_steps, warm, decayed)


# --8<-- [end:wsd]


# --8<-- [start:plot]
def plot_schedules(total_steps: int = 100, lr: float = 0.1):
    """Curves of every schedule over total_steps (left: smooth; right: staircase / warmup)."""
    import matplotlib.pyplot as plt

    step = np.arange(total_steps + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    ax1.plot(step, exponential_decay(lr, step, 20, 0.7), label="exponential (rate 0.7 / 20 步)")
    ax1.plot(step, natural_exp_decay(lr, step, 20, 0.5), label="natural exp (rate 0.5 / 20 步)")
    ax1.plot(step, polynomial_decay(lr, step, total_steps, 0.0, 1.0), label="polynomial power=1")
    ax1.plot(step, polynomial_decay(lr, step, total_steps, 0.0, 2.0), label="polynomial power=2")
    ax1.plot(step, cosine_decay(lr, step, total_steps), label="cosine")
    ax2.plot(step, exponential_decay(lr, step, 20, 0.7, staircase=True), label="exponential 阶梯")
    ax2.plot(step, polynomial_decay(lr, step, 30, 0.0, 1.0, cycle=True), label="polynomial cycle")
    ax2.plot(step, warmup_cosine(lr, step, 10, total_steps), label="warmup 10 步 + cosine")
    for ax in (ax1, ax2):
        ax.set_xlabel("step")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    ax1.set_ylabel("learning rate")
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


# --8<-- [start:plot_llm]
def plot_wsd_one_cycle(total_steps: int = 1000, lr: float = 0.1):
    """WSD with three decay shapes next to warmup + cosine and one-cycle."""
    import matplotlib.pyplot as plt

    step = np.arange(total_steps)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(step, warmup_cosine(lr, step, 50, total_steps), label="warmup + cosine", color="0.6")
    ax.plot(step, one_cycle(lr, step, total_steps), label="one-cycle (PyTorch 默认)")
    for shape, style in [("linear", "-"), ("1-sqrt", "--"), ("cosine", ":")]:
        curve = wsd(lr, step, 50, total_steps, total_steps // 5, decay_shape=shape)
        ax.plot(step, curve, style, color="C3", label=f"WSD，最后 20% 衰减（{shape}）")
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# --8<-- [end:plot_llm]


if __name__ == "__main__":
    assert np.isclose(exponential_decay(0.1, 20, 10, 0.5), 0.025)
    assert np.isclose(exponential_decay(0.1, 15, 10, 0.5, staircase=True), 0.05)
    assert np.isclose(natural_exp_decay(0.1, 10, 10, 1.0), 0.1 / np.e)
    assert np.isclose(polynomial_decay(0.1, 50, 100, 0.0), 0.05)
    assert np.isclose(polynomial_decay(0.1, 500, 100, 0.01), 0.01)
    assert np.isclose(cosine_decay(0.1, 50, 100), 0.05)
    assert np.isclose(warmup_cosine(0.1, 5, 10, 110), 0.05)
    assert np.isclose(one_cycle(0.1, 0, 100), 0.1 / 25)  # starts at max_lr / div_factor
    assert np.isclose(one_cycle(0.1, 29, 100), 0.1)  # peak at pct_start · total - 1
    assert np.isclose(one_cycle(0.1, 99, 100), 0.1 / 25 / 1e4)
    assert wsd(1.0, np.arange(11), 2, 10, 4).tolist() == [0, 0.5, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0]
    print(np.round(warmup_cosine(0.1, np.arange(0, 111, 10), 10, 110), 4))
