"""RNN / LSTM / GRU cells against PyTorch and finite differences; gradient clipping."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rnn.rnn import (
    clip_grad_norm,
    gradient_decay_curves,
    gru_cell,
    hidden_jacobian_norms,
    lstm_cell,
    lstm_cell_whiteboard,
    lstm_forward,
    rnn_forward,
    sigmoid,
)

B, D, H = 3, 5, 4


def weights(rng, gates: int):
    return (
        rng.normal(size=(gates * H, D)),
        rng.normal(size=(gates * H, H)),
        rng.normal(size=gates * H),
        rng.normal(size=gates * H),
    )


def test_lstm_matches_torch_lstmcell():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for the LSTM cell")
    rng = np.random.default_rng(0)
    W_ih, W_hh, b_ih, b_hh = weights(rng, 4)
    x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    cell = torch.nn.LSTMCell(D, H).double()
    with torch.no_grad():
        for name, value in zip(
            ["weight_ih", "weight_hh", "bias_ih", "bias_hh"], [W_ih, W_hh, b_ih, b_hh], strict=True
        ):
            getattr(cell, name).copy_(torch.from_numpy(value))
        h_t, c_t = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    h_np, c_np = lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)
    np.testing.assert_allclose(h_np, h_t.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c_np, c_t.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.1, 5.0))
def test_lstm_whiteboard_matches_lstm_cell(seed, scale):
    rng = np.random.default_rng(seed)
    W_ih, W_hh, b_ih, b_hh = (scale * w for w in weights(rng, 4))
    x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    board = lstm_cell_whiteboard(x, h, c, W_ih, W_hh, b_ih, b_hh)
    full = lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)
    for ours, theirs in zip(board, full, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_gru_matches_torch_grucell():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for the GRU cell")
    rng = np.random.default_rng(1)
    W_ih, W_hh, b_ih, b_hh = weights(rng, 3)
    x, h = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():
        for name, value in zip(
            ["weight_ih", "weight_hh", "bias_ih", "bias_hh"], [W_ih, W_hh, b_ih, b_hh], strict=True
        ):
            getattr(cell, name).copy_(torch.from_numpy(value))
        h_t = cell(torch.from_numpy(x), torch.from_numpy(h))
    np.testing.assert_allclose(
        gru_cell(x, h, W_ih, W_hh, b_ih, b_hh), h_t.numpy(), rtol=1e-10, atol=1e-12
    )


def test_gru_reset_gate_multiplies_the_hidden_bias_too():
    # With b_hn != 0, applying r outside (W_hn h) + b_hn gives a different result.
    rng = np.random.default_rng(2)
    W_ih, W_hh, b_ih, b_hh = weights(rng, 3)
    x, h = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    x_r, x_z, x_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    h_r, h_z, h_n = np.split(h @ W_hh.T, 3, axis=1)
    r, z = sigmoid(x_r + h_r + b_hh[:H]), sigmoid(x_z + h_z + b_hh[H : 2 * H])
    n_other = np.tanh(x_n + r * h_n + b_hh[2 * H :])  # bias outside the reset gate
    other = (1 - z) * n_other + z * h
    assert not np.allclose(gru_cell(x, h, W_ih, W_hh, b_ih, b_hh), other)


def test_rnn_matches_torch_rnn():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for the RNN")
    rng = np.random.default_rng(3)
    T = 6
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(B, H))
    W_xh, W_hh, b = rng.normal(size=(H, D)), rng.normal(size=(H, H)), rng.normal(size=H)
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh").double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(W_xh))
        rnn.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
        out, _ = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])
    np.testing.assert_allclose(rnn_forward(x, h0, W_xh, W_hh, b), out.numpy(), atol=1e-12)


def test_jacobian_norm_matches_finite_differences():
    rng = np.random.default_rng(4)
    T, Hs = 8, 3
    x = rng.normal(size=(T, 1, Hs))
    W_xh, W_hh, b = rng.normal(size=(Hs, Hs)), rng.normal(size=(Hs, Hs)), rng.normal(size=Hs)
    h0 = rng.normal(size=(1, Hs))
    hs = rnn_forward(x, h0, W_xh, W_hh, b)[:, 0]
    norms = hidden_jacobian_norms(hs, W_hh)
    t, eps = 2, 1e-6  # dh_{T-1}/dh_t by central differences, restarting the RNN at step t + 1
    J = np.empty((Hs, Hs))
    for j in range(Hs):
        e = np.zeros(Hs)
        e[j] = eps
        plus = rnn_forward(x[t + 1 :], (hs[t] + e)[None], W_xh, W_hh, b)[-1, 0]
        minus = rnn_forward(x[t + 1 :], (hs[t] - e)[None], W_xh, W_hh, b)[-1, 0]
        J[:, j] = (plus - minus) / (2 * eps)
    assert norms[t] == pytest.approx(np.linalg.norm(J, 2), rel=1e-6)
    assert norms[-1] == 1.0


def test_jacobian_at_zero_state_is_a_power_of_W_hh():
    # h = 0 makes every D_k the identity, so dh_T/dh_t = W_hh^(T-1-t); the spectral norm of
    # (2I)^k is 2^k (its Frobenius norm would be 2^k sqrt(2)), down to t = 0.
    norms = hidden_jacobian_norms(np.zeros((4, 2)), 2 * np.eye(2))
    np.testing.assert_allclose(norms, [8.0, 4.0, 2.0, 1.0], rtol=1e-12)


def test_float32_inputs_are_computed_in_float64():
    # Weights and states of a float32 model give exactly the float64 result of the same values.
    rng = np.random.default_rng(8)
    args32 = [a.astype(np.float32) for a in (rng.normal(size=(B, D)), *rng.normal(size=(2, B, H)))]
    args32 += [w.astype(np.float32) for w in weights(rng, 4)]
    args64 = [a.astype(np.float64) for a in args32]
    for ours, exact in zip(lstm_cell(*args32), lstm_cell(*args64), strict=True):
        assert ours.dtype == np.float64
        np.testing.assert_array_equal(ours, exact)
    hs, W_hh = rng.uniform(-1, 1, size=(5, H)).astype(np.float32), args32[4][:H]
    np.testing.assert_array_equal(
        hidden_jacobian_norms(hs, W_hh), hidden_jacobian_norms(hs.astype(np.float64), W_hh)
    )


def test_figure_curves_follow_the_spectral_radius_not_sigma_max():
    # The page: the figure's matrix has sigma_max more than 30% above its spectral radius, so
    # at radius 0.9 the first step grows (sigma_max > 1) and the long-range norm still decays.
    base, curves = gradient_decay_curves()
    assert np.max(np.abs(np.linalg.eigvals(base))) == pytest.approx(1.0)
    assert 1.3 < np.linalg.norm(base, 2) < 1.4
    assert curves[0.9][-2] > 1
    assert curves[0.9][0] < 1e-2
    assert curves[0.5][0] < 1e-15
    assert curves[1.1][0] > 10  # slightly above 1: grows with the distance
    assert curves[1.5][0] < 1e-3  # saturated: decays again


def test_clip_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for clipping")
    rng = np.random.default_rng(5)
    grads = [rng.normal(size=(3, 4)) * 10, rng.normal(size=7)]
    for max_norm in (0.5, 5.0, 1e3):
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.from_numpy(g.copy())
        total_t = torch.nn.utils.clip_grad_norm_(params, max_norm)
        clipped, total = clip_grad_norm(grads, max_norm)
        assert total == pytest.approx(float(total_t))
        for p, g in zip(params, clipped, strict=True):
            np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12)


def test_clip_keeps_direction_and_small_gradients():
    grads = [np.array([3.0, 0.0]), np.array([4.0])]
    clipped, total = clip_grad_norm(grads, 10.0)
    assert total == 5.0
    np.testing.assert_allclose(np.concatenate(clipped), [3.0, 0.0, 4.0], rtol=1e-6)
    clipped, _ = clip_grad_norm(grads, 1.0)
    np.testing.assert_allclose(np.concatenate(clipped), [0.6, 0.0, 0.8], rtol=1e-6)


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    with np.errstate(over="raise"):
        s = sigmoid(x)
    np.testing.assert_allclose(s, [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0])


def test_bad_shapes_and_arguments():
    rng = np.random.default_rng(6)
    W_ih, W_hh, b_ih, b_hh = weights(rng, 4)
    x, h, c = np.zeros((B, D)), np.zeros((B, H)), np.zeros((B, H))
    with pytest.raises(ValueError, match="W_ih must have shape"):
        lstm_cell(x, h, c, W_ih[:-1], W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match="c must have shape"):
        lstm_cell(x, h, c[:, :-1], W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match="x must have shape"):
        lstm_cell(x[0], h, c, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match="W_ih must have shape"):
        gru_cell(x, h, W_ih, W_hh[: 3 * H], b_ih[: 3 * H], b_hh[: 3 * H])
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm([np.ones(2)], 0.0)
    with pytest.raises(ValueError, match="x must have shape"):
        rnn_forward(np.zeros((2, 3)), h, np.zeros((H, D)), np.zeros((H, H)), np.zeros(H))


def test_shape_errors_name_the_bad_argument():
    # A 1-D W_hh is a ValueError that says so, not an IndexError from reading H off its shape.
    rng = np.random.default_rng(7)
    x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    names = ["W_ih", "W_hh", "b_ih", "b_hh"]
    lstm_args = {"h": h, "c": c, **dict(zip(names, weights(rng, 4), strict=True))}
    gru_args = {"h": h, **dict(zip(names, weights(rng, 3), strict=True))}
    for cell, args in ((lstm_cell, lstm_args), (gru_cell, gru_args)):
        for name, value in args.items():
            with pytest.raises(ValueError, match=f"^{name} must have shape"):
                cell(x, **dict(args, **{name: value[:-1]}))
        with pytest.raises(ValueError, match=r"^W_hh must have shape .*, got \(4,\)"):
            cell(x, **dict(args, W_hh=args["W_hh"][0]))
        with pytest.raises(ValueError, match=r"^x must have shape \(B, D\), got \(5,\)"):
            cell(x[0], **args)
    # rnn_forward reads H off W_hh's rows: a W_hh with one column too few is W_hh's fault.
    rnn_args = {"h0": h, "W_xh": rng.normal(size=(H, D)), "W_hh": np.eye(H), "b": np.zeros(H)}
    for name, value in rnn_args.items():
        with pytest.raises(ValueError, match=f"^{name} must have shape"):
            rnn_forward(x[None], **dict(rnn_args, **{name: value[..., :-1]}))
    with pytest.raises(ValueError, match=r"^hs must have shape \(T, H\), got \(5,\)"):
        hidden_jacobian_norms(np.zeros(5), np.eye(5))
    with pytest.raises(ValueError, match=r"^W_hh must have shape"):
        hidden_jacobian_norms(np.zeros((5, H)), np.eye(H)[:, :-1])


def torch_lstm_and_weights(torch, D, H, layers, bidirectional, batch_first, seed):
    """A float64 torch.nn.LSTM and its parameters as the list lstm_forward takes."""
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(
        D, H, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first
    ).double()
    weights = []
    for layer in range(layers):
        for suffix in ("", "_reverse")[: 2 if bidirectional else 1]:
            names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            weights.append(
                tuple(getattr(lstm, f"{n}_l{layer}{suffix}").detach().numpy() for n in names)
            )
    return lstm, weights


@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_lstm_forward_matches_torch_lstm(torch, layers, bidirectional, batch_first):
    T, Bt, Dt, Ht = 6, 3, 4, 5
    lstm, weights = torch_lstm_and_weights(torch, Dt, Ht, layers, bidirectional, batch_first, 0)
    rng = np.random.default_rng(layers)
    dirs = 2 if bidirectional else 1
    x = rng.normal(size=(Bt, T, Dt) if batch_first else (T, Bt, Dt))
    h0, c0 = rng.normal(size=(2, layers * dirs, Bt, Ht))
    with torch.no_grad():
        out_t, (h_t, c_t) = lstm(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)))
    out, (h_n, c_n) = lstm_forward(x, weights, layers, bidirectional, batch_first, h0, c0)
    assert out.shape == tuple(out_t.shape)
    assert h_n.shape == tuple(h_t.shape) == (layers * dirs, Bt, Ht)
    np.testing.assert_allclose(out, out_t.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_n, h_t.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c_n, c_t.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_lengths_match_pack_padded_sequence(torch, bidirectional, batch_first):
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    T, Bt, Dt, Ht, layers = 7, 4, 3, 5, 2
    lstm, weights = torch_lstm_and_weights(torch, Dt, Ht, layers, bidirectional, batch_first, 1)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(Bt, T, Dt) if batch_first else (T, Bt, Dt))
    lengths = np.array([3, 7, 1, 5])  # unsorted: enforce_sorted=False sorts and unsorts
    packed = pack_padded_sequence(
        torch.from_numpy(x), torch.from_numpy(lengths), batch_first, enforce_sorted=False
    )
    with torch.no_grad():
        out_packed, (h_t, c_t) = lstm(packed)
    out_t, lengths_t = pad_packed_sequence(out_packed, batch_first, total_length=T)
    assert lengths_t.tolist() == lengths.tolist()
    out, (h_n, c_n) = lstm_forward(x, weights, layers, bidirectional, batch_first, lengths=lengths)
    np.testing.assert_allclose(out, out_t.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_n, h_t.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c_n, c_t.numpy(), rtol=1e-10, atol=1e-12)
    # running over the padding instead gives a different h_n for every shorter sequence
    with torch.no_grad():
        _, (h_pad, _) = lstm(torch.from_numpy(x))
    shorter = lengths < T
    assert not np.allclose(h_pad.numpy()[0][shorter], h_n[0][shorter])


def test_h_n_is_each_sequence_at_its_own_last_step():
    rng = np.random.default_rng(3)
    Hh, Dd, layers = 4, 3, 2
    weights = [
        tuple(
            rng.normal(0, 0.5, shape) for shape in ((4 * Hh, d), (4 * Hh, Hh), (4 * Hh,), (4 * Hh,))
        )
        for d in (Dd, Dd, 2 * Hh, 2 * Hh)
    ]
    x = rng.normal(size=(6, 3, Dd))
    lengths = np.array([6, 1, 4])
    out, (h_n, c_n) = lstm_forward(x, weights, layers, bidirectional=True, lengths=lengths)
    for b, n in enumerate(lengths):
        alone, (h_b, c_b) = lstm_forward(x[:n, b : b + 1], weights, layers, bidirectional=True)
        np.testing.assert_allclose(out[:n, b], alone[:, 0], atol=1e-12)
        np.testing.assert_allclose(h_n[:, b], h_b[:, 0], atol=1e-12)
        np.testing.assert_allclose(c_n[:, b], c_b[:, 0], atol=1e-12)
        np.testing.assert_array_equal(out[n:, b], 0.0)
        np.testing.assert_allclose(h_n[-2, b], out[n - 1, b, :Hh])  # forward: step n - 1
        np.testing.assert_allclose(h_n[-1, b], out[0, b, Hh:])  # reverse: step 0


def test_lstm_forward_bad_input():
    rng = np.random.default_rng(4)
    w = [tuple(rng.normal(size=s) for s in ((8, 3), (8, 2), (8,), (8,)))]
    x = rng.normal(size=(5, 2, 3))
    with pytest.raises(ValueError, match=r"^x must have shape \(T, B, D\), got"):
        lstm_forward(x[0], w)
    with pytest.raises(ValueError, match=r"^x must have shape \(B, T, D\), got"):
        lstm_forward(x[0], w, batch_first=True)
    with pytest.raises(ValueError, match="need 2 weight tuples"):
        lstm_forward(x, w, bidirectional=True)
    with pytest.raises(ValueError, match="h0 must have shape"):
        lstm_forward(x, w, h0=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"^c0 must have shape"):
        lstm_forward(x, w, c0=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"^W_hh must have shape"):  # 1-D: not an IndexError
        lstm_forward(x, [(w[0][0], w[0][1][0], *w[0][2:])])
    with pytest.raises(ValueError, match=r"lengths must lie in 1\.\.5"):
        lstm_forward(x, w, lengths=np.array([0, 3]))
    with pytest.raises(ValueError, match="lengths must be 2 integers"):
        lstm_forward(x, w, lengths=np.array([1.0, 3.0]))
    with pytest.raises(ValueError, match="W_ih must have shape"):
        lstm_forward(rng.normal(size=(5, 2, 4)), w)
