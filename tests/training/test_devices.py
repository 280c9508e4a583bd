"""CUDA_VISIBLE_DEVICES handling and the multi-device example (runs on the CPU without GPUs)."""

import os

import pytest
from training import devices
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
    with pytest.raises(
        RuntimeError, match=r"^CUDA is already initialised: set CUDA_VISIBLE_DEVICES earlier$"
    ):
        set_visible_devices([0])


def test_every_visible_gpu_is_a_device(monkeypatch):
    torch = pytest.importorskip("torch", reason="the devices are torch.device objects")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert available_devices() == [torch.device("cuda:0"), torch.device("cuda:1")]


class Placed:
    """A stand-in tensor that knows its device: a product needs both factors on one device."""

    def __init__(self, value, device):
        self.value, self.device = value, device

    def to(self, device):
        return self.value if device == "cpu" else Placed(self.value, device)

    def __matmul__(self, other):
        assert other.device == self.device, "factors on different devices"
        return Placed(self.value @ other.value, self.device)


def test_each_product_is_computed_on_its_device_and_gathered_on_the_cpu(monkeypatch):
    torch = pytest.importorskip("torch", reason="the example itself uses PyTorch")
    gpus = [torch.device("cuda:0"), torch.device("cuda:1")]
    monkeypatch.setattr(devices, "available_devices", lambda: gpus)
    a, b = torch.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(3, 2)
    out = matmul_on_each_device(Placed(a, None), Placed(b, None))
    torch.testing.assert_close(out, 2 * (a @ b))
