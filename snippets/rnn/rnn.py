"""Vanilla RNN, LSTM and GRU cells in numpy, with PyTorch's weight layout and gate order.

LSTM weights: W_ih (4H, D), W_hh (4H, H), biases (4H,), rows in the order i, f, g, o.
GRU weights:  W_ih (3H, D), W_hh (3H, H), biases (3H,), rows in the order r, z, n.
Inputs are batched: x (B, D), h and c (B, H).
"""

# --8<-- [start:imports]
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# --8<-- [end:imports]


# --8<-- [start:helpers]
def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, written to avoid overflow in exp for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# --8<-- [end:helpers]


# --8<-- [start:check]
def _check(name: str, array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(array, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    return array


# --8<-- [end:check]


# --8<-- [start:rnn]
def rnn_forward(
    x: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """h_t = tanh(W_xh x_t + W_hh h_{t-1} + b) for x (T, B, D); returns all h_t, (T, B, H)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (T, B, D), got {x.shape}")
    T, B, D = x.shape
    H = np.shape(W_hh)[0]
    W_xh, W_hh = _check("W_xh", W_xh, (H, D)), _check("W_hh", W_hh, (H, H))
    h, b = _check("h0", h0, (B, H)), _check("b", b, (H,))
    hs = np.empty((T, B, H))
    for t in range(T):  # the recurrence is sequential in t; each step is vectorised over B
        h = np.tanh(x[t] @ W_xh.T + h @ W_hh.T + b)
        hs[t] = h
    return hs


# --8<-- [end:rnn]


# --8<-- [start:jacobian]
def hidden_jacobian_norms(hs: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    """Spectral norms of dh_T/dh_t for one sequence, newest factor first:
    dh_T/dh_t = D_T W_hh · D_{T-1} W_hh ··· D_{t+1} W_hh with D_k = diag(1 - h_k^2).

    hs: hidden states (T, H) of a tanh RNN; entry t of the result is for h_t, t = 0..T-1.
    """
    hs = np.asarray(hs, dtype=np.float64)
    if hs.ndim != 2:
        raise ValueError(f"hs must have shape (T, H), got {hs.shape}")
    T, H = hs.shape
    W_hh = _check("W_hh", W_hh, (H, H))
    norms = np.empty(T)
    J = np.eye(H)  # dh_T/dh_T
    norms[T - 1] = 1.0
    for t in range(T - 1, 0, -1):
        J = J @ ((1.0 - hs[t] ** 2)[:, None] * W_hh)  # times dh_t/dh_{t-1}
        norms[t - 1] = np.linalg.norm(J, 2)
    return norms


# --8<-- [end:jacobian]


# --8<-- [start:clip]
def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Scale all gradients together so that their global L2 norm is at most max_norm."""
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm}")
    total = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = min(1.0, max_norm / (total + 1e-6))  # 1e-6 as in torch.nn.utils.clip_grad_norm_
    return [g * scale for g in grads], total


# --8<-- [end:clip]


# --8<-- [start:whiteboard_lstm]
def lstm_cell_whiteboard(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """LSTM 单元的一步：四个门一次矩阵乘法算出，c_t = f c_{t-1} + i g，h_t = o tanh(c_t)。"""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (B, 4H)，按 i, f, g, o 排列
    i, f, g, o = np.split(z, 4, axis=1)
    i, f, o = 1 / (1 + np.exp(-i)), 1 / (1 + np.exp(-f)), 1 / (1 + np.exp(-o))
    g = np.tanh(g)
    c_t = f * c + i * g
    h_t = o * np.tanh(c_t)
    return h_t, c_t


# --8<-- [end:whiteboard_lstm]


# --8<-- [start:lstm]
def lstm_cell(
    x: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step (torch.nn.LSTMCell conventions); returns (h_t, c_t)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (B, D), got {x.shape}")
    (B, D), H = x.shape, np.shape(W_hh)[-1]
    W_ih, W_hh = _check("W_ih", W_ih, (4 * H, D)), _check("W_hh", W_hh, (4 * H, H))
    b_ih, b_hh = _check("b_ih", b_ih, (4 * H,)), _check("b_hh", b_hh, (4 * H,))
    h, c = _check("h", h, (B, H)), _check("c", c, (B, H))

    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (B, 4H): all four gates in one product
    i, f, g, o = np.split(z, 4, axis=1)  # PyTorch's order: input, forget, cell, output
    i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
    c_next = f * c + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next


# --8<-- [end:lstm]


# --8<-- [start:lstm_layer]
def lstm_forward(
    x: np.ndarray,
    weights: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    num_layers: int = 1,
    bidirectional: bool = False,
    batch_first: bool = False,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
    lengths: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """torch.nn.LSTM's forward pass: returns output, (h_n, c_n).

    x is (T, B, D), or (B, T, D) with batch_first; weights[layer * dirs + d] is
    (W_ih, W_hh, b_ih, b_hh) of that layer and direction (d = 1: reverse). h0, c0 and the
    returned h_n, c_n are (num_layers * dirs, B, H) whatever batch_first is. With lengths, the
    result is that of a PackedSequence: sequence b only has steps 0..lengths[b] - 1, its h_n is
    the state at its own last step, and output is zero after it (pad_packed_sequence).
    """
    x = _check_lstm_input(x, batch_first)
    T, B, _ = x.shape
    dirs = 2 if bidirectional else 1
    if len(weights) != num_layers * dirs:
        raise ValueError(f"need {num_layers * dirs} weight tuples, got {len(weights)}")
    H = np.shape(weights[0][1])[-1]
    zeros = np.zeros((num_layers * dirs, B, H))
    h0 = zeros if h0 is None else _check("h0", h0, zeros.shape)
    c0 = zeros if c0 is None else _check("c0", c0, zeros.shape)
    lengths = np.full(B, T) if lengths is None else _check_lengths(lengths, B, T)
    alive = np.arange(T)[:, None] < lengths[None, :]  # (T, B): step t is real for sequence b
    h_n, c_n = np.empty_like(zeros), np.empty_like(zeros)
    layer_input = x
    for layer in range(num_layers):
        outputs = []
        for d in range(dirs):
            k = layer * dirs + d
            h, c = h0[k], c0[k]
            out = np.zeros((T, B, H))
            for t in range(T - 1, -1, -1) if d == 1 else range(T):
                h_new, c_new = lstm_cell(layer_input[t], h, c, *weights[k])
                keep = alive[t][:, None]  # padded steps leave the state unchanged
                h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
                out[t] = np.where(keep, h_new, 0.0)
            h_n[k], c_n[k] = h, c
            outputs.append(out)
        layer_input = np.concatenate(outputs, axis=2)  # (T, B, dirs * H): forward, then reverse
    output = layer_input.transpose(1, 0, 2) if batch_first else layer_input
    return output, (h_n, c_n)


# --8<-- [end:lstm_layer]


# --8<-- [start:lstm_layer_check]
def _check_lstm_input(x: np.ndarray, batch_first: bool) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        layout = "(B, T, D)" if batch_first else "(T, B, D)"
        raise ValueError(f"x must have shape {layout}, got {x.shape}")
    return x.transpose(1, 0, 2) if batch_first else x  # work time-major: (T, B, D)


def _check_lengths(lengths: np.ndarray, B: int, T: int) -> np.ndarray:
    lengths = np.asarray(lengths)
    if lengths.shape != (B,) or lengths.dtype.kind not in "iu":
        raise ValueError(f"lengths must be {B} integers, got {lengths!r}")
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(f"lengths must lie in 1..{T} (pack_padded_sequence rejects 0)")
    return lengths


# --8<-- [end:lstm_layer_check]


# --8<-- [start:gru]
def gru_cell(
    x: np.ndarray,
    h: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> np.ndarray:
    """One GRU step (torch.nn.GRUCell conventions); returns h_t."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (B, D), got {x.shape}")
    (B, D), H = x.shape, np.shape(W_hh)[-1]
    W_ih, W_hh = _check("W_ih", W_ih, (3 * H, D)), _check("W_hh", W_hh, (3 * H, H))
    b_ih, b_hh = _check("b_ih", b_ih, (3 * H,)), _check("b_hh", b_hh, (3 * H,))
    h = _check("h", h, (B, H))

    x_r, x_z, x_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    h_r, h_z, h_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = sigmoid(x_r + h_r)  # reset gate
    z = sigmoid(x_z + h_z)  # update gate
    n = np.tanh(x_n + r * h_n)  # candidate; r multiplies (W_hn h + b_hn), bias included
    return (1.0 - z) * n + z * h


# --8<-- [end:gru]


# --8<-- [start:plot]
def gradient_decay_curves(
    T: int = 60, H: int = 32, seed: int = 0, gains: tuple[float, ...] = (0.5, 0.9, 1.1, 1.5)
) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """A random W_hh of spectral radius 1, and ||dh_T/dh_t|| for W_hh times each gain."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(T, 1, H))
    W_xh = rng.normal(scale=0.01 / np.sqrt(H), size=(H, H))  # weak input: tanh not saturated
    base = rng.normal(size=(H, H))
    base /= np.max(np.abs(np.linalg.eigvals(base)))  # spectral radius 1
    curves = {}
    for gain in gains:
        hs = rnn_forward(x, np.zeros((1, H)), W_xh, gain * base, np.zeros(H))[:, 0]
        curves[gain] = hidden_jacobian_norms(hs, gain * base)
    return base, curves


def plot_gradient_decay(T: int = 60, H: int = 32, seed: int = 0) -> "Figure":
    """||dh_T/dh_t|| against T - t for a tanh RNN with recurrent weights of several scales."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for gain, norms in gradient_decay_curves(T, H, seed)[1].items():
        ax.semilogy(np.arange(T)[::-1], norms, label=f"W_hh 谱半径 = {gain:g}")
    ax.set_xlabel("时间步距离 T − t")
    ax.set_ylabel(r"$\|\partial h_T / \partial h_t\|_2$")
    ax.legend()
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


# --8<-- [end:plot]


if __name__ == "__main__":
    # --8<-- [start:demo]
    rng = np.random.default_rng(0)
    B, D, H = 2, 3, 4
    x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    # All weights and biases zero: every sigmoid gate is 0.5 and the candidate tanh(0) is 0.
    h_lstm, c_lstm = lstm_cell(
        x, h, c, np.zeros((4 * H, D)), np.zeros((4 * H, H)), np.zeros(4 * H), np.zeros(4 * H)
    )
    assert np.allclose(c_lstm, 0.5 * c)  # c_t = f * c + i * g = 0.5 c
    assert np.allclose(h_lstm, 0.5 * np.tanh(0.5 * c))  # h_t = o * tanh(c_t)
    h_gru = gru_cell(
        x, h, np.zeros((3 * H, D)), np.zeros((3 * H, H)), np.zeros(3 * H), np.zeros(3 * H)
    )
    assert np.allclose(h_gru, 0.5 * h)  # h_t = (1 - z) * n + z * h with z = 0.5, n = 0

    clipped, total = clip_grad_norm([np.array([3.0]), np.array([4.0])], max_norm=1.0)
    assert np.isclose(total, 5.0)
    assert np.allclose(np.concatenate(clipped), [0.6, 0.8])  # same direction, norm 1
    # --8<-- [end:demo]
    W_ih, W_hh = rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H))
    b_ih, b_hh = rng.normal(size=4 * H), rng.normal(size=4 * H)
    full = lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)
    board = lstm_cell_whiteboard(x, h, c, W_ih, W_hh, b_ih, b_hh)
    assert all(np.allclose(a, b) for a, b in zip(board, full, strict=True))
    print("LSTM h_t:", h_lstm.round(3))

    # --8<-- [start:demo_lstm_layer]
    T, B, D, H, layers = 5, 3, 4, 6, 2
    rng = np.random.default_rng(1)
    weights = [
        (
            rng.normal(0, 0.3, (4 * H, D if k < 2 else 2 * H)),  # layer 2 reads both directions
            rng.normal(0, 0.3, (4 * H, H)),
            rng.normal(0, 0.3, 4 * H),
            rng.normal(0, 0.3, 4 * H),
        )
        for k in range(layers * 2)  # (layer 0 forward, layer 0 reverse, layer 1 forward, ...)
    ]
    x = rng.normal(size=(B, T, D))  # batch_first=True
    out, (h_n, c_n) = lstm_forward(x, weights, layers, bidirectional=True, batch_first=True)
    assert out.shape == (B, T, 2 * H)  # top layer, every step, both directions
    assert h_n.shape == c_n.shape == (layers * 2, B, H)  # batch_first does not apply here
    assert np.allclose(h_n[-2], out[:, -1, :H])  # top forward: last step
    assert np.allclose(h_n[-1], out[:, 0, H:])  # top reverse: its last step is t = 0

    lengths = np.array([5, 2, 3])  # real lengths; x[b, lengths[b]:] is padding
    out, (h_n, c_n) = lstm_forward(x, weights, layers, True, True, lengths=lengths)
    for b, n in enumerate(lengths):  # the same as running each sequence alone, unpadded
        alone, (h_b, c_b) = lstm_forward(x[b : b + 1, :n], weights, layers, True, True)
        assert np.allclose(out[b, :n], alone[0])
        assert np.allclose(h_n[:, b], h_b[:, 0])
        assert np.allclose(c_n[:, b], c_b[:, 0])
        assert not out[b, n:].any()  # zeros after the end, as pad_packed_sequence gives
    # --8<-- [end:demo_lstm_layer]
