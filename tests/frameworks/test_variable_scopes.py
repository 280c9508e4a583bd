"""Parameter naming and sharing in PyTorch modules."""

import pytest

torch = pytest.importorskip("torch", reason="the PyTorch view of variable ownership needs torch")

from frameworks.variable_scopes import Siamese, TinyLM, Tower  # noqa: E402


def test_shared_tower_gradient_is_the_sum_of_both_uses():
    torch.manual_seed(0)
    model = Siamese()
    a, b = torch.randn(5, 4), torch.randn(5, 4)
    model(a, b).sum().backward()
    shared_grad = model.tower.fc1.weight.grad.clone()

    # The same computation with two independent copies of the tower.
    left, right = Tower(), Tower()
    left.load_state_dict(model.tower.state_dict())
    right.load_state_dict(model.tower.state_dict())
    (left(a) - right(b)).pow(2).sum().backward()
    torch.testing.assert_close(shared_grad, left.fc1.weight.grad + right.fc1.weight.grad)


def test_siamese_has_the_parameters_of_one_tower():
    assert sum(p.numel() for p in Siamese().parameters()) == sum(
        p.numel() for p in Tower().parameters()
    )


def test_tied_weights_stay_tied_after_an_optimizer_step():
    torch.manual_seed(1)
    lm = TinyLM()
    opt = torch.optim.SGD(lm.parameters(), lr=0.1)
    before = lm.embed.weight.detach().clone()
    logits = lm(torch.tensor([1, 2, 3]))
    torch.nn.functional.cross_entropy(logits, torch.tensor([2, 3, 4])).backward()
    opt.step()
    assert lm.head.weight is lm.embed.weight
    assert not torch.equal(before, lm.embed.weight)
    assert len(opt.param_groups[0]["params"]) == 1


def test_state_dict_keys_follow_attribute_names():
    assert list(Tower().state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert list(TinyLM().state_dict()) == ["embed.weight", "head.weight"]  # both names saved


def test_plain_list_of_modules_is_not_registered():
    class Bad(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [torch.nn.Linear(2, 2)]  # a plain list: invisible to Module

    class Good(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([torch.nn.Linear(2, 2)])

    assert list(Bad().parameters()) == []
    assert [name for name, _ in Good().named_parameters()] == ["layers.0.weight", "layers.0.bias"]


def test_default_sizes_and_per_pair_distance():
    tower = Tower()
    assert tuple(tower.fc1.weight.shape) == (8, 4)
    assert tuple(tower.fc2.weight.shape) == (2, 8)
    assert tuple(TinyLM().embed.weight.shape) == (10, 4)
    torch.manual_seed(2)
    model, a, b = Siamese(), torch.randn(5, 4), torch.randn(5, 4)
    with torch.no_grad():
        distances = model(a, b)
        expected = (model.tower(a) - model.tower(b)).pow(2).sum(dim=1)
    assert distances.shape == (5,)  # one squared distance per pair
    torch.testing.assert_close(distances, expected)
