"""Contrastive losses in numpy: SimCLR's NT-Xent (with its gradient) and CLIP's symmetric loss,
and a toy linear encoder trained with NT-Xent for the figure."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def nt_xent_whiteboard(z1, z2, temperature=0.5):
    """Write NT-Xent: cosine similarities of the 2N views, self masked, CE towards the pair."""
    n = len(z1)
    z = np.concatenate([z1, z2])
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    sim = z @ z.T / temperature
    np.fill_diagonal(sim, -np.inf)  # a view is not its own negative
    positive = np.concatenate([np.arange(n, 2 * n), np.arange(n)])  # i <-> i + N
    top = sim.max(axis=1, keepdims=True)
    log_prob = sim - top - np.log(np.exp(sim - top).sum(axis=1, keepdims=True))
    return -log_prob[np.arange(2 * n), positive].mean()


# --8<-- [end:whiteboard]


# --8<-- [start:whiteboard_clip]
def clip_loss_whiteboard(image_emb, text_emb, logit_scale):
    """Write CLIP's loss: L2-normalise, logits = scale · cosine, mean of the two CEs."""
    img = image_emb / np.linalg.norm(image_emb, axis=1, keepdims=True)
    txt = text_emb / np.linalg.norm(text_emb, axis=1, keepdims=True)
    logits = logit_scale * img @ txt.T  # (N, N): image i vs text j; matches on the diagonal

    def cross_entropy(rows):  # row i's target is column i
        rows = rows - rows.max(axis=1, keepdims=True)
        return -(np.diag(rows) - np.log(np.exp(rows).sum(axis=1))).mean()

    return (cross_entropy(logits) + cross_entropy(logits.T)) / 2


# --8<-- [end:whiteboard_clip]


# --8<-- [start:check]
def _embeddings(name: str, x) -> np.ndarray:
    """A real (N, D) array, N, D >= 1, finite, with no zero row (it has no direction)."""
    x = np.asarray(x)
    if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"{name} must be a real number array, got dtype {x.dtype}")
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(f"{name} must have shape (N, D) with N, D >= 1, got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must not contain NaN or inf")
    # Equivalent mutants: astype(None) is float64 too; a copy or not, nothing writes to x.
    x = x.astype(np.float64, copy=False)  # pragma: no mutate
    if (np.linalg.norm(x, axis=1) == 0).any():
        raise ValueError(f"{name} has a zero row: cosine similarity is undefined")
    return x


def _pair(names: tuple[str, str], a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _embeddings(names[0], a), _embeddings(names[1], b)
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} and {names[1]} need the same shape, got {a.shape}, {b.shape}")
    return a, b


def _positive_number(name: str, x) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be positive and finite, got {x}")
    return float(x)


def _normalize(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise log softmax; -inf entries get probability 0."""
    top = logits.max(axis=1, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))


# --8<-- [end:check]


# --8<-- [start:nt_xent]
def nt_xent_loss(z1, z2, temperature: float = 0.5) -> float:
    """SimCLR's NT-Xent: z1[i] and z2[i] are two views of image i, shape (N, D).

    Cosine similarities / temperature among all 2N views; each view's positive is its pair,
    the other 2N − 2 views are negatives, itself excluded; mean over the 2N anchors."""
    z1, z2 = _pair(("z1", "z2"), z1, z2)
    temperature = _positive_number("temperature", temperature)
    n = z1.shape[0]
    u = _normalize(np.concatenate([z1, z2]))  # (2N, D)
    sim = u @ u.T / temperature
    np.fill_diagonal(sim, -np.inf)
    positive = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    return float(-_log_softmax(sim)[np.arange(2 * n), positive].mean())


# --8<-- [end:nt_xent]


# --8<-- [start:nt_xent_grad]
def nt_xent_grad(z1, z2, temperature: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """∂ nt_xent_loss / ∂ z1 and ∂ z2: softmax minus one-hot, back through u uᵀ / τ and the
    L2 normalisation (which removes the radial part of the gradient)."""
    z1, z2 = _pair(("z1", "z2"), z1, z2)
    temperature = _positive_number("temperature", temperature)
    n = z1.shape[0]
    z = np.concatenate([z1, z2])
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    u = z / norms
    sim = u @ u.T / temperature
    np.fill_diagonal(sim, -np.inf)
    g = np.exp(_log_softmax(sim))  # P, zero on the diagonal
    g[np.arange(2 * n), np.concatenate([np.arange(n, 2 * n), np.arange(n)])] -= 1.0
    g /= 2 * n  # ∂L/∂sim
    grad_u = (g + g.T) @ u / temperature
    grad_z = (grad_u - u * (u * grad_u).sum(axis=1, keepdims=True)) / norms
    return grad_z[:n], grad_z[n:]


# --8<-- [end:nt_xent_grad]


# --8<-- [start:clip]
def clip_loss(image_emb, text_emb, logit_scale) -> float:
    """CLIP's symmetric loss for N matching (image, text) pairs, each of shape (N, D).

    Both are L2-normalised; logits = logit_scale · cosine (N × N); the loss is the mean of the
    image→text and text→image cross-entropies, the diagonal being the targets."""
    image_emb, text_emb = _pair(("image_emb", "text_emb"), image_emb, text_emb)
    logit_scale = _positive_number("logit_scale", logit_scale)
    logits = logit_scale * _normalize(image_emb) @ _normalize(text_emb).T
    image_to_text = -np.diag(_log_softmax(logits)).mean()
    text_to_image = -np.diag(_log_softmax(logits.T)).mean()
    return float((image_to_text + text_to_image) / 2)


# --8<-- [end:clip]


# --8<-- [start:toy]
def toy_views(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two views of n inputs in 8-D and their class (0–3).

    Dims 0–1 hold the content (one of four class centres plus a small spread), shared by both
    views; dims 2–7 are loud nuisance that an augmentation redraws for every view."""
    labels = rng.integers(0, 4, n)
    angles = np.pi / 4 + np.pi / 2 * labels
    content = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    content += 0.4 * rng.normal(size=(n, 2))

    def view():
        return np.concatenate([content + 0.05 * rng.normal(size=(n, 2)),
                               3.0 * rng.normal(size=(n, 6))], axis=1)  # fmt: skip

    return view(), view(), labels


def train_linear_encoder(steps: int = 300, lr: float = 2.0, temperature: float = 0.5, seed=0):
    """Gradient descent on NT-Xent for z = x Wᵀ with W of shape (2, 8); returns W before,
    W after and the loss per step."""
    rng = np.random.default_rng(seed)
    w0 = rng.normal(size=(2, 8)) / np.sqrt(8)
    w, losses = w0.copy(), []
    for _ in range(steps):
        x1, x2, _ = toy_views(128, rng)
        losses.append(nt_xent_loss(x1 @ w.T, x2 @ w.T, temperature))
        g1, g2 = nt_xent_grad(x1 @ w.T, x2 @ w.T, temperature)
        w -= lr * (g1.T @ x1 + g2.T @ x2)  # z = x Wᵀ, so ∂L/∂W = (∂L/∂z)ᵀ x
    return w0, w, np.array(losses)


def centroid_accuracy(u: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy of assigning each unit vector to the class whose mean direction is closest."""
    means = _normalize(np.stack([u[labels == c].mean(axis=0) for c in range(4)]))
    return float(((u @ means.T).argmax(axis=1) == labels).mean())


# --8<-- [end:toy]


# --8<-- [start:plot]
def plot_contrastive_toy(seed: int = 0):
    """Unit-circle embeddings of held-out inputs before and after NT-Xent training."""
    import matplotlib.pyplot as plt

    w0, w, _ = train_linear_encoder(seed=seed)
    x, _, labels = toy_views(240, np.random.default_rng(seed + 1))
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.8))
    circle = np.linspace(0, 2 * np.pi, 200)
    for ax, weights, title in zip(
        axes, (w0, w), ("训练前（随机 W）", "NT-Xent 训练后"), strict=True
    ):
        u = _normalize(x @ weights.T)
        # Radius jittered by class only so that the points do not hide each other.
        r = 1.0 + 0.06 * (labels - 1.5)
        ax.plot(np.cos(circle), np.sin(circle), color="0.7", lw=0.6)
        for c in range(4):
            ax.scatter(*(u[labels == c] * r[labels == c, None]).T, s=6, label=f"类 {c}")
        acc = centroid_accuracy(u, labels)
        ax.set_title(f"{title}\n最近类中心准确率 {acc:.0%}", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.35, 1.35)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[1].legend(fontsize=7, loc="lower right", markerscale=2)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    z1, z2 = rng.normal(size=(4, 8)), rng.normal(size=(4, 8))
    loss = nt_xent_loss(z1, z2)
    assert np.isclose(loss, nt_xent_whiteboard(z1, z2))
    assert nt_xent_loss(z1, z1 + 1e-3 * z2, 0.1) < loss  # two nearly equal views: small loss
    img, txt = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    assert np.isclose(clip_loss(img, txt, 10.0), clip_loss_whiteboard(img, txt, 10.0))
    assert clip_loss(img, img, 100.0) < 1e-3  # every image matches its own text best
    _, _, losses = train_linear_encoder(steps=60)
    assert losses[-10:].mean() < losses[:10].mean()
    print(f"NT-Xent of random views: {loss:.3f}")
