"""The Keras 3 CNN (PyTorch backend): the notes' layers, the same function as the PyTorch CNN."""

import numpy as np
import pytest
from mnist.idx import load_subset


@pytest.fixture(scope="module")
def make_keras_cnn(keras):
    from mnist.keras_cnn import make_keras_cnn

    return make_keras_cnn


def test_layers_and_shapes_are_the_notes_model(keras, make_keras_cnn):
    model = make_keras_cnn(total_steps=10)
    assert keras.backend.backend() == "torch"
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dropout", "Dense",
    ]  # fmt: skip
    shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert shapes[:5] == [(26, 26, 32), (24, 24, 64), (12, 12, 64), (12, 12, 64), (9216,)]
    assert shapes[-1] == (10,)
    convs = model.layers[:2]
    assert [(c.filters, c.kernel_size, c.padding) for c in convs] == [
        (32, (3, 3), "valid"),
        (64, (3, 3), "valid"),
    ]
    assert [layer.rate for layer in model.layers if "Dropout" in type(layer).__name__] == [
        0.25,
        0.5,
    ]
    assert model.count_params() == 1_199_882


def test_optimizer_is_adam_with_cosine_decay_and_the_defaults(keras, make_keras_cnn):
    model = make_keras_cnn()
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert optimizer.epsilon == 1e-8
    for step in (0, 250, 500, 1000):  # total_steps defaults to 1000
        expected = 1e-3 * 0.5 * (1 + np.cos(np.pi * step / 1000))
        assert float(optimizer._learning_rate(step)) == pytest.approx(expected, abs=1e-9)
    seed_0 = make_keras_cnn(seed=0)  # the seed defaults to 0
    assert np.array_equal(model.layers[0].kernel.numpy(), seed_0.layers[0].kernel.numpy())
    smallest = make_keras_cnn(n_classes=2, total_steps=1)  # both at their lower bound
    assert smallest.layers[-1].units == 2
    assert smallest.optimizer._learning_rate.decay_steps == 1


def test_same_logits_as_the_pytorch_cnn_with_the_same_weights(keras, make_keras_cnn):
    torch = pytest.importorskip("torch")
    from mnist.torch_cnn import make_torch_cnn, to_nchw

    net = make_torch_cnn(seed=3).eval()
    conv1, conv2, dense1, dense2 = (net[i] for i in (0, 2, 7, 10))

    def arr(t):
        return t.detach().numpy()

    model = make_keras_cnn(total_steps=10)
    # conv kernels: torch (out, in, kh, kw) -> keras (kh, kw, in, out)
    model.layers[0].set_weights([arr(conv1.weight).transpose(2, 3, 1, 0), arr(conv1.bias)])
    model.layers[1].set_weights([arr(conv2.weight).transpose(2, 3, 1, 0), arr(conv2.bias)])
    # torch flattens (channel, row, column), keras (row, column, channel): reorder the inputs
    w = arr(dense1.weight).reshape(128, 64, 12, 12).transpose(2, 3, 1, 0).reshape(9216, 128)
    model.layers[5].set_weights([w, arr(dense1.bias)])
    model.layers[7].set_weights([arr(dense2.weight).T, arr(dense2.bias)])

    images = load_subset()[0][:16]
    with torch.no_grad():
        logits_t = arr(net(to_nchw(images)))
    x = images[..., None].astype(np.float32) / np.float32(255)  # (N, 28, 28, 1)
    logits_k = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(logits_k, logits_t, rtol=1e-4, atol=1e-5)
    # without reordering the flattened features the logits differ
    model.layers[5].set_weights([arr(dense1.weight).T, arr(dense1.bias)])
    assert not np.allclose(
        keras.ops.convert_to_numpy(model(x, training=False)), logits_t, atol=1e-3
    )


def test_one_epoch_on_real_digits_learns(keras, make_keras_cnn):
    import torch

    torch.set_num_threads(1)
    images, labels = load_subset()
    x = images[..., None].astype(np.float32) / np.float32(255)
    model = make_keras_cnn(total_steps=2000 // 32 + 1)
    history = model.fit(x[:2000], labels[:2000], batch_size=32, epochs=1, verbose=0)
    assert set(history.history) == {"accuracy", "loss"}  # the names a reader plots
    logits = [keras.ops.convert_to_numpy(model(x[i : i + 500])) for i in (4000, 4500)]
    predicted = np.concatenate(logits).argmax(axis=1)
    assert (predicted == labels[4000:]).mean() > 0.75


def test_bad_arguments(make_keras_cnn):
    with pytest.raises(ValueError, match="n_classes"):
        make_keras_cnn(n_classes=1)
    with pytest.raises(ValueError, match="total_steps"):
        make_keras_cnn(total_steps=0)
