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


if __name__ == "__main__":
    assert np.isclose(exponential_decay(0.1, 20, 10, 0.5), 0.025)
    assert np.isclose(exponential_decay(0.1, 15, 10, 0.5, staircase=True), 0.05)
    assert np.isclose(natural_exp_decay(0.1, 10, 10, 1.0), 0.1 / np.e)
    assert np.isclose(polynomial_decay(0.1, 50, 100, 0.0), 0.05)
    assert np.isclose(polynomial_decay(0.1, 500, 100, 0.01), 0.01)
    assert np.isclose(cosine_decay(0.1, 50, 100), 0.05)
    assert np.isclose(warmup_cosine(0.1, 5, 10, 110), 0.05)
    print(np.round(warmup_cosine(0.1, np.arange(0, 111, 10), 10, 110), 4))
