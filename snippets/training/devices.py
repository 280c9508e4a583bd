"""Choosing GPUs: CUDA_VISIBLE_DEVICES before CUDA starts, then torch.device and .to(device).

PyTorch is imported inside the functions, after the environment variable is set; the module
itself needs only the standard library.
"""

# --8<-- [start:imports]
import os
import sys

# --8<-- [end:imports]


# --8<-- [start:visible]
def set_visible_devices(ids: list[int]) -> str:
    """Set CUDA_VISIBLE_DEVICES to the given physical GPU ids (must run before CUDA starts)."""
    if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids):
        raise TypeError(f"ids must be non-negative ints, got {ids!r}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"ids must not repeat, got {ids!r}")
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_initialized():
        raise RuntimeError("CUDA is already initialised: set CUDA_VISIBLE_DEVICES earlier")
    value = ",".join(str(i) for i in ids)  # [] gives "": no GPU visible at all
    os.environ["CUDA_VISIBLE_DEVICES"] = value
    return value


# --8<-- [end:visible]


# --8<-- [start:devices]
def available_devices() -> list:
    """Every visible GPU as torch.device('cuda:i'), or [cpu] when there is none."""
    import torch  # imported late: CUDA reads CUDA_VISIBLE_DEVICES when it starts

    if torch.cuda.is_available():
        return [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return [torch.device("cpu")]


def matmul_on_each_device(a, b):
    """Compute a @ b once on every device, gather the results on the CPU and add them up."""
    import torch

    partial = [(a.to(d) @ b.to(d)).to("cpu") for d in available_devices()]
    return torch.stack(partial).sum(dim=0)


# --8<-- [end:devices]


if __name__ == "__main__":
    saved = os.environ.get("CUDA_VISIBLE_DEVICES")
    try:
        assert set_visible_devices([1, 3]) == "1,3"
        assert os.environ["CUDA_VISIBLE_DEVICES"] == "1,3"
        assert set_visible_devices([]) == ""
    finally:
        if saved is None:
            os.environ.pop("CUDA_VISIBLE_DEVICES", None)
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = saved
    try:
        set_visible_devices([0, 0])
    except ValueError:
        pass
    else:
        raise AssertionError("repeated ids must be rejected")
    print("CUDA_VISIBLE_DEVICES is only read when CUDA starts: set it first")
