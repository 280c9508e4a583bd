"""Who owns a variable and what is it called: TF1 scopes (legacy, not run) and PyTorch modules.

The TF1 function below needs TensorFlow 1.x (or tf.compat.v1 in graph mode); it is kept as a
reference for reading old code and is never called. The PyTorch part needs torch.
"""

# --8<-- [start:imports]
import torch
from torch import nn

# --8<-- [end:imports]


def tf1_scopes_reference() -> None:
    """TF1 graph-mode behaviour of name_scope / variable_scope (reference only, not run)."""
    # --8<-- [start:tf1]
    import tensorflow.compat.v1 as tf

    tf.disable_eager_execution()

    with tf.name_scope("ns"):
        v1 = tf.Variable(1.0, name="v")  # ns/v:0      tf.Variable takes the name_scope
        w1 = tf.get_variable("w", shape=[1])  # w:0    get_variable ignores name_scope
        s1 = tf.add(v1, w1)  # ns/Add:0                ops take the name_scope

    with tf.variable_scope("vs"):
        v2 = tf.Variable(1.0, name="v")  # vs/v:0      variable_scope also opens a name_scope
        w2 = tf.get_variable("w", shape=[1])  # vs/w:0 get_variable takes the variable_scope
        s2 = tf.add(v2, w2)  # vs/Add:0

    with tf.variable_scope("vs", reuse=True):
        w3 = tf.get_variable("w", shape=[1])  # looks up vs/w: w3 is the same variable as w2
        v3 = tf.Variable(1.0, name="v")  # always a new variable, here vs_1/v:0

    with tf.variable_scope("vs"):
        tf.get_variable("w", shape=[1])  # ValueError: Variable vs/w already exists, disallowed
    # --8<-- [end:tf1]
    print(s1, s2, w3, v3)


# --8<-- [start:modules]
class Tower(nn.Module):
    """Parameters are named after the attribute path: fc1.weight, fc1.bias, ..."""

    def __init__(self, d_in: int = 4, d_hidden: int = 8, d_out: int = 2) -> None:
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.fc2 = nn.Linear(d_hidden, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(x)))


class Siamese(nn.Module):
    """Both inputs go through the same Tower object: its weights are shared."""

    def __init__(self) -> None:
        super().__init__()
        self.tower = Tower()

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (self.tower(a) - self.tower(b)).pow(2).sum(dim=1)


class TinyLM(nn.Module):
    """Weight tying: the output layer uses the embedding matrix (both are (vocab, dim))."""

    def __init__(self, vocab: int = 10, dim: int = 4) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.embed.weight  # one Parameter, registered under two names

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(tokens))


# --8<-- [end:modules]


if __name__ == "__main__":
    # --8<-- [start:demo]
    names = [name for name, _ in Siamese().named_parameters()]
    assert names == ["tower.fc1.weight", "tower.fc1.bias", "tower.fc2.weight", "tower.fc2.bias"]
    # Two separate Tower objects have the same names but different tensors: no global store.
    t1, t2 = Tower(), Tower()
    assert t1.fc1.weight is not t2.fc1.weight

    lm = TinyLM()
    assert lm.head.weight is lm.embed.weight
    assert [name for name, _ in lm.named_parameters()] == ["embed.weight"]  # listed once
    assert len(list(lm.named_parameters(remove_duplicate=False))) == 2

    stack = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))
    assert [name for name, _ in stack.named_parameters()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    # --8<-- [end:demo]
    print(names)
