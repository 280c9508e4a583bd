"""Fine-tuning: freeze the pretrained backbone or give it a smaller learning rate.

Works on any object with named_parameters() (a torch.nn.Module); returns param groups
for torch.optim, so the module itself needs no import of PyTorch.
"""


# --8<-- [start:param_groups]
def finetune_param_groups(
    model, head_prefixes: tuple[str, ...], lr: float, backbone_lr_scale: float = 0.1
) -> list[dict]:
    """Param groups: head at lr, backbone at lr · backbone_lr_scale; scale 0 freezes it."""
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr}")
    if not 0.0 <= backbone_lr_scale <= 1.0:
        raise ValueError(f"backbone_lr_scale must be in [0, 1], got {backbone_lr_scale}")
    head, backbone = [], []
    for name, param in model.named_parameters():
        (head if name.startswith(tuple(head_prefixes)) else backbone).append(param)
    if not head:
        raise ValueError(f"no parameter name starts with head_prefixes={head_prefixes!r}")
    groups = [{"params": head, "lr": lr}]
    if backbone_lr_scale == 0.0:
        for param in backbone:
            param.requires_grad_(False)  # frozen: no gradient is computed or stored
    else:
        groups.append({"params": backbone, "lr": lr * backbone_lr_scale})
    return groups


# --8<-- [end:param_groups]


if __name__ == "__main__":

    class _Param:
        requires_grad = True

        def requires_grad_(self, flag: bool) -> None:
            self.requires_grad = flag

    class _Model:
        def __init__(self) -> None:
            self.params = {
                "features.0.weight": _Param(),
                "fc.weight": _Param(),
                "fc.bias": _Param(),
            }

        def named_parameters(self):
            return iter(self.params.items())

    m = _Model()
    g = finetune_param_groups(m, ("fc.",), lr=0.01, backbone_lr_scale=0.1)
    assert [len(x["params"]) for x in g] == [2, 1]
    assert abs(g[1]["lr"] - 0.001) < 1e-12
    g = finetune_param_groups(m, ("fc.",), lr=0.01, backbone_lr_scale=0.0)
    assert len(g) == 1
    assert not m.params["features.0.weight"].requires_grad
    print("head lr 0.01; backbone frozen")
