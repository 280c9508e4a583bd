"""Fixtures shared by the test modules."""

import pytest


@pytest.fixture
def torch():
    """PyTorch as a reference: a test that asks for it skips alone where it is missing."""
    return pytest.importorskip(
        "torch", reason="PyTorch is the reference (requirements-frameworks.txt)"
    )
