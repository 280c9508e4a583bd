"""Fine-tuning param groups on a real torch model: frozen layers stay put, lrs are scaled."""

import pytest
from training.finetune import finetune_param_groups

torch = pytest.importorskip("torch", reason="the param groups are for torch.optim")


def make_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.Linear(8, 2)
    )


def one_step(model, groups):
    opt = torch.optim.SGD(groups)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    model(torch.randn(16, 4)).pow(2).sum().backward()
    opt.step()
    return before


def test_frozen_backbone_does_not_move():
    model = make_model()
    groups = finetune_param_groups(model, ("3.",), lr=0.1, backbone_lr_scale=0.0)
    before = one_step(model, groups)
    for name, p in model.named_parameters():
        changed = not torch.equal(before[name], p.detach())
        assert changed == name.startswith("3."), name
        assert (p.grad is None) == (not name.startswith("3.")), name


def test_backbone_moves_with_the_smaller_lr():
    model = make_model()
    groups = finetune_param_groups(model, ("3.",), lr=0.1, backbone_lr_scale=0.1)
    assert [g["lr"] for g in groups] == [0.1, pytest.approx(0.01)]
    same = finetune_param_groups(model, ("3.",), lr=0.1, backbone_lr_scale=1.0)  # allowed
    assert [g["lr"] for g in same] == [0.1, 0.1]
    before = one_step(model, groups)
    for name, p in model.named_parameters():
        lr = 0.1 if name.startswith("3.") else 0.01
        torch.testing.assert_close(p.detach(), before[name] - lr * p.grad)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"head_prefixes": ("head.",), "lr": 0.1}, "head_prefixes"),
        ({"head_prefixes": ("3.",), "lr": 0.0}, "lr"),
        ({"head_prefixes": ("3.",), "lr": 0.1, "backbone_lr_scale": 2.0}, "backbone_lr_scale"),
    ],
)
def test_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        finetune_param_groups(make_model(), **kwargs)
