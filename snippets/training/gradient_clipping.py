"""Gradient clipping by global norm and by value, following torch.nn.utils."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:clip_grad_norm]
def clip_grad_norm(grads: list[np.ndarray], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all grads in place so their joint norm is <= max_norm; return the norm before."""
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm}")
    if not (norm_type == np.inf or norm_type > 0):
        raise ValueError(f"norm_type must be > 0 or inf, got {norm_type}")
    if not grads:
        return 0.0
    flat = np.concatenate([np.ravel(g) for g in grads])
    if norm_type == np.inf:
        total = float(np.max(np.abs(flat))) if flat.size else 0.0
    else:
        total = float(np.sum(np.abs(flat) ** norm_type) ** (1.0 / norm_type))
    coef = min(max_norm / (total + 1e-6), 1.0)  # 1e-6 as in torch: no division by zero
    for g in grads:
        g *= coef  # the direction is kept, only the length shrinks
    return total


# --8<-- [end:clip_grad_norm]


# --8<-- [start:clip_grad_value]
def clip_grad_value(grads: list[np.ndarray], clip_value: float) -> None:
    """Clamp every gradient entry into [-clip_value, clip_value] in place (changes direction)."""
    if not clip_value > 0:
        raise ValueError(f"clip_value must be > 0, got {clip_value}")
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)


# --8<-- [end:clip_grad_value]


if __name__ == "__main__":
    g = [np.array([3.0, 0.0]), np.array([[4.0]])]  # joint L2 norm 5
    assert clip_grad_norm(g, max_norm=1.0) == 5.0
    assert np.isclose(np.sqrt(sum(np.sum(x**2) for x in g)), 1.0, atol=1e-6)
    assert np.allclose(g[0], [0.6, 0.0], atol=1e-6)  # direction unchanged
    small = [np.array([0.3, 0.4])]
    clip_grad_norm(small, max_norm=1.0)
    assert np.allclose(small[0], [0.3, 0.4])  # already short enough: untouched
    v = [np.array([-3.0, 0.5, 2.0])]
    clip_grad_value(v, 1.0)
    assert v[0].tolist() == [-1.0, 0.5, 1.0]
    print("clipped:", g)
