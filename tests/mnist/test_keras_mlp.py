"""The Keras 3 MLP (PyTorch backend): architecture, He init, loss and forward pass vs numpy."""

import numpy as np
import pytest
from mnist.idx import load_subset
from mnist.mlp import forward, preprocess, softmax_cross_entropy


@pytest.fixture(scope="module")
def make_keras_mlp(keras):
    from mnist.keras_mlp import make_keras_mlp

    return make_keras_mlp


# Built for every test (0.1 s): mutmut credits a module-scoped fixture's calls to the first
# test that uses it alone, and would not run the other tests against a mutant.
@pytest.fixture
def model(make_keras_mlp):
    return make_keras_mlp((784, 256, 128, 10), total_steps=100)


def test_architecture_and_he_init(keras, model):
    assert keras.backend.backend() == "torch"
    dense = model.layers
    assert [layer.units for layer in dense] == [256, 128, 10]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "relu", "linear"]
    kernel = dense[0].kernel.numpy()
    assert kernel.shape == (784, 256)
    # he_normal draws from a truncated normal rescaled so that the std is sqrt(2 / fan_in)
    assert kernel.std() == pytest.approx(np.sqrt(2 / 784), rel=0.03)
    # almost all entries lie within the truncation at 2 std of the underlying normal
    assert np.mean(np.abs(kernel) < 2 * np.sqrt(2 / 784) / 0.87962566103423978) > 0.9999
    # mnist/index.md says so: only the hidden layers are He, the output keeps glorot_uniform
    initializers = [type(layer.kernel_initializer).__name__ for layer in dense]
    assert initializers == ["HeNormal", "HeNormal", "GlorotUniform"]


def test_forward_and_loss_match_numpy(keras, model):
    images, labels = load_subset()
    x, y = preprocess(images[:40]), labels[:40]
    params = [w.numpy() for layer in model.layers for w in (layer.kernel, layer.bias)]
    logits_np, _ = forward(params, x)
    logits_k = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(logits_k, logits_np, rtol=1e-4, atol=1e-5)
    loss_k = float(model.loss(y, logits_k))
    assert loss_k == pytest.approx(softmax_cross_entropy(logits_np, y)[0], rel=1e-5)


def test_optimizer_is_adam_with_cosine_decay(keras, model):
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert optimizer.epsilon == 1e-8
    schedule = optimizer._learning_rate
    for step in (0, 25, 50, 100):
        expected = 1e-3 * 0.5 * (1 + np.cos(np.pi * step / 100))
        assert float(schedule(step)) == pytest.approx(expected, abs=1e-9)


def test_defaults_and_the_smallest_model(make_keras_mlp):
    model = make_keras_mlp((4, 3))  # one Dense layer: softmax regression on the logits
    assert [layer.units for layer in model.layers] == [3]
    schedule = model.optimizer._learning_rate
    assert float(schedule(500)) == pytest.approx(5e-4, abs=1e-9)  # total_steps defaults to 1000
    assert float(schedule(1000)) == 0.0
    seed_0 = make_keras_mlp((4, 3), seed=0)  # the seed defaults to 0
    assert np.array_equal(model.layers[0].kernel.numpy(), seed_0.layers[0].kernel.numpy())
    assert make_keras_mlp((4, 3), total_steps=1).optimizer._learning_rate.decay_steps == 1


def test_a_few_steps_on_real_digits_lower_the_loss(keras, make_keras_mlp):
    images, labels = load_subset()
    x, y = preprocess(images[:64]), labels[:64]
    model = make_keras_mlp((784, 32, 10), total_steps=10)
    losses = [float(model.train_on_batch(x, y)[0]) for _ in range(10)]
    assert losses[-1] < losses[0]
    # the metric is reported as "accuracy" (in fit's history too): the share of argmax hits
    metrics = model.evaluate(x, y, verbose=0, return_dict=True)
    predicted = keras.ops.convert_to_numpy(model(x)).argmax(axis=1)
    assert metrics["accuracy"] == pytest.approx((predicted == y).mean())


def test_bad_arguments(make_keras_mlp):
    with pytest.raises(ValueError, match="sizes"):
        make_keras_mlp((784,))
    with pytest.raises(ValueError, match="total_steps"):
        make_keras_mlp(total_steps=0)
