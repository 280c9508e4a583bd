"""Keras for the MNIST tests: on the PyTorch backend, imported only when a test asks for it."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported anywhere


# Imported when a test runs, not when pytest collects: every xdist worker collects the test
# modules, and importing Keras costs seconds.
@pytest.fixture(scope="module")
def keras():
    pytest.importorskip("torch", reason="Keras runs on the PyTorch backend here")
    return pytest.importorskip("keras", reason="the Keras 3 versions of the models need Keras")
