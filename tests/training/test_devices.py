"""CUDA_VISIBLE_DEVICES handling and the multi-device example (runs on the CPU without GPUs)."""

import os

import pytest
from training.devices import available_devices, matmul_on_each_device, set_visible_devices


@pytest.fixture
def restore_env(monkeypatch):
    # monkeypatch puts the original value back when the test ends
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


def test_sets_the_environment_variable(restore_env):
    assert set_visible_devices([2, 0]) == "2,0"
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "2,0"
    assert set_visible_devices([]) == ""


@pytest.mark.parametrize(
    ("ids", "error"),
    [([0, 0], ValueError), ([-1], TypeError), (["0"], TypeError), ([True], TypeError)],
)
def test_bad_ids_raise(restore_env, ids, error):
    with pytest.raises(error, match="ids"):
        set_visible_devices(ids)


def test_devices_and_matmul_with_torch():
    torch = pytest.importorskip("torch", reason="the example itself uses PyTorch")
    devices = available_devices()
    assert devices
    if not torch.cuda.is_available():
        assert devices == [torch.device("cpu")]
    a = torch.arange(6.0).reshape(2, 3)
    b = torch.arange(6.0).reshape(3, 2)
    out = matmul_on_each_device(a, b)
    assert out.device.type == "cpu"
    expected = len(devices) * torch.tensor([[10.0, 13.0], [28.0, 40.0]])  # a @ b by hand
    torch.testing.assert_close(out, expected)


def test_refuses_after_cuda_started(restore_env, monkeypatch):
    torch = pytest.importorskip("torch", reason="needs torch.cuda to report its state")
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    with pytest.raises(RuntimeError, match="already initialised"):
        set_visible_devices([0])
