"""A multilayer perceptron for MNIST written from scratch in numpy.

ReLU hidden layers with He initialisation, softmax cross-entropy computed with a stable
log-softmax, backpropagation by hand and mini-batch Adam with bias correction.
Parameters are a flat list [W1, b1, W2, b2, ...]; W_l has shape (fan_in, fan_out).
"""

# --8<-- [start:imports]
import itertools
from collections.abc import Callable, Sequence

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:whiteboard]
def loss_and_grads_whiteboard(W1, b1, W2, b2, W3, b3, X, y):
    """三层 MLP 的前向和反向传播：ReLU 隐藏层、softmax 交叉熵，返回损失和六个梯度。"""
    N = len(X)
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0)
    z3 = h2 @ W3 + b3  # logits
    s = z3 - z3.max(axis=1, keepdims=True)  # 减去每行最大值，exp 不会溢出
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(N), y].mean()
    d3 = np.exp(log_p)  # delta_3 = (P - Y) / N
    d3[np.arange(N), y] -= 1
    d3 /= N
    d2 = (d3 @ W3.T) * (z2 > 0)  # delta_{l-1} = (delta_l W_l^T) * 1[z_{l-1} > 0]
    d1 = (d2 @ W2.T) * (z1 > 0)
    grads = [X.T @ d1, d1.sum(axis=0), h1.T @ d2, d2.sum(axis=0), h2.T @ d3, d3.sum(axis=0)]
    return loss, grads


# --8<-- [end:whiteboard]


# --8<-- [start:init]
def init_mlp(sizes: Sequence[int], seed: int = 0, dtype: type = np.float32) -> list[np.ndarray]:
    """He initialisation: W ~ N(0, 2 / fan_in), b = 0, for layer sizes like (784, 256, 128, 10)."""
    if len(sizes) < 2 or any(int(n) != n or n < 1 for n in sizes):
        raise ValueError(f"sizes must be at least two positive integers, got {sizes}")
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        std = np.sqrt(2.0 / fan_in)  # keeps E[h^2] constant through ReLU layers
        params.append((rng.standard_normal((fan_in, fan_out)) * std).astype(dtype))
        params.append(np.zeros(fan_out, dtype=dtype))
    return params


# --8<-- [end:init]


# --8<-- [start:preprocess]
def preprocess(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, 28, 28) -> float32 rows (N, 784) scaled to [0, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"images must be uint8 (N, H, W), got {images.dtype} {images.shape}")
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255)


# --8<-- [end:preprocess]


# --8<-- [start:log_softmax]
def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log(softmax(z)) row by row, stable: z - max(z) - log(sum(exp(z - max(z))))."""
    shifted = logits - logits.max(axis=1, keepdims=True)  # largest entry becomes 0: no overflow
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy over the batch and its gradient (softmax(z) - onehot(y)) / N."""
    if logits.ndim != 2 or labels.shape != (len(logits),):
        raise ValueError(f"labels must have shape ({len(logits)},), got {labels.shape}")
    n = len(logits)
    log_p = log_softmax(logits)
    loss = -log_p[np.arange(n), labels].mean()
    grad = np.exp(log_p)  # softmax probabilities
    grad[np.arange(n), labels] -= 1  # p - y with y one-hot
    return float(loss), grad / np.asarray(n, dtype=grad.dtype)


# --8<-- [end:log_softmax]


# --8<-- [start:forward_backward]
def forward(params: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Logits (N, classes) and the layer inputs that backprop needs."""
    inputs = [x]
    h = x
    for layer in range(len(params) // 2):
        z = h @ params[2 * layer] + params[2 * layer + 1]
        h = np.maximum(z, 0) if 2 * layer + 2 < len(params) else z  # no ReLU on the logits
        inputs.append(h)
    return h, inputs[:-1]


def backward(
    params: list[np.ndarray], inputs: list[np.ndarray], grad_logits: np.ndarray
) -> list[np.ndarray]:
    """Gradients [dW1, db1, ...] from dL/dlogits by the chain rule, last layer first."""
    grads: list[np.ndarray] = [np.empty(0)] * len(params)
    delta = grad_logits  # dL/dz of the current layer, (N, fan_out)
    for layer in reversed(range(len(params) // 2)):
        h = inputs[layer]  # input of this layer, (N, fan_in)
        grads[2 * layer] = h.T @ delta  # dL/dW = h^T delta
        grads[2 * layer + 1] = delta.sum(axis=0)  # dL/db: sum over the batch
        if layer > 0:  # no gradient needed for the pixels
            # dL/dh = delta W^T; through ReLU: times 1[z > 0], and z > 0 exactly where h > 0
            delta = (delta @ params[2 * layer].T) * (h > 0)
    return grads


def loss_and_grads(
    params: list[np.ndarray], x: np.ndarray, labels: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """Mean softmax cross-entropy of the batch and its gradient for every parameter."""
    logits, inputs = forward(params, x)
    loss, grad_logits = softmax_cross_entropy(logits, labels)
    return loss, backward(params, inputs, grad_logits)


# --8<-- [end:forward_backward]


# --8<-- [start:adam]
class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction; updates the arrays in place."""

    def __init__(
        self,
        params: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        if lr <= 0 or not (0 <= betas[0] < 1 and 0 <= betas[1] < 1) or eps <= 0:
            raise ValueError(f"need lr > 0, betas in [0, 1), eps > 0; got {lr}, {betas}, {eps}")
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]  # first moment (mean of g)
        self.v = [np.zeros_like(p) for p in params]  # second moment (mean of g^2)
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        """One update p -= lr * m_hat / (sqrt(v_hat) + eps)."""
        if len(grads) != len(self.params):  # checked before any parameter changes
            raise ValueError(f"grads: expected {len(self.params)} arrays, got {len(grads)}")
        beta1, beta2 = self.betas
        self.t += 1
        correction1 = 1 - beta1**self.t  # m and v start at 0: divide out the bias
        correction2 = 1 - beta2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            m_hat = m / correction1
            v_hat = v / correction2
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# --8<-- [end:adam]


# --8<-- [start:train]
def predict(params: list[np.ndarray], x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """Predicted class of every row of x (in chunks, to bound memory)."""
    chunks = [forward(params, x[i : i + batch_size])[0] for i in range(0, len(x), batch_size)]
    return np.concatenate(chunks).argmax(axis=1) if chunks else np.empty(0, dtype=np.int64)


def train_mlp(
    x: np.ndarray,
    labels: np.ndarray,
    n_classes: int = 10,
    hidden: Sequence[int] = (256, 128),
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    on_epoch_end: Callable[[list[np.ndarray]], None] | None = None,
) -> tuple[list[np.ndarray], list[float]]:
    """Train with mini-batch Adam; the learning rate follows a cosine from lr down to 0.

    The output layer has n_classes units whatever labels occur in this training set.
    Returns the parameters and the mean training loss of every epoch;
    on_epoch_end(params) is called after every epoch (e.g. to measure held-out accuracy).
    """
    if x.ndim != 2 or labels.shape != (len(x),) or len(x) == 0:
        raise ValueError(
            f"x must be (N, D) with N > 0 and labels (N,), got {x.shape}, {labels.shape}"
        )
    if not isinstance(n_classes, int | np.integer) or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"labels must be integers in 0..{n_classes - 1}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs}, {batch_size}")
    params = init_mlp((x.shape[1], *hidden, n_classes), seed=seed, dtype=x.dtype)
    optimizer = Adam(params, lr=lr)
    rng = np.random.default_rng(seed + 1)
    steps_per_epoch = -(-len(x) // batch_size)
    total, history = epochs * steps_per_epoch, []
    for _ in range(epochs):
        order = rng.permutation(len(x))  # a fresh shuffle every epoch
        losses = []
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_grads(params, x[batch], labels[batch])
            optimizer.lr = float(lr * 0.5 * (1 + np.cos(np.pi * optimizer.t / total)))
            optimizer.step(grads)
            losses.append(loss)
        history.append(float(np.mean(losses)))
        if on_epoch_end is not None:
            on_epoch_end(params)
    return params, history


# --8<-- [end:train]


if __name__ == "__main__":
    from idx import load_subset  # run as a script from snippets/mnist/

    images, digits = load_subset()
    x_all = preprocess(images)
    params, history = train_mlp(x_all[:1000], digits[:1000], hidden=(32,), epochs=5, batch_size=32)
    accuracy = (predict(params, x_all[4000:]) == digits[4000:]).mean()
    assert history[-1] < history[0] / 2
    assert all(p.dtype == np.float32 for p in params)
    assert accuracy > 0.7, accuracy  # 5 epochs on 1,000 digits: far above chance (0.1)
    three_layers = init_mlp((784, 16, 8, 10), seed=0, dtype=np.float64)
    loss, grads = loss_and_grads(three_layers, x_all[:8], digits[:8])
    wb_loss, wb_grads = loss_and_grads_whiteboard(*three_layers, x_all[:8], digits[:8])
    assert np.isclose(wb_loss, loss)
    assert all(np.allclose(a, b) for a, b in zip(wb_grads, grads, strict=True))
    print(f"loss per epoch {np.round(history, 3).tolist()}, held-out accuracy {accuracy:.3f}")
