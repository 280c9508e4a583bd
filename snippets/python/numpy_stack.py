"""np.vstack / np.hstack / np.dstack / np.concatenate / np.stack, and the shapes they produce."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:stack_shape]
def stack_shape(shapes: list[tuple[int, ...]], how: str) -> tuple[int, ...]:
    """Result shape of np.<how>(arrays) for arrays of the given shapes, by numpy's rules."""
    if not shapes:
        raise ValueError("shapes must not be empty")
    if how not in {"vstack", "hstack", "dstack", "stack"}:
        raise ValueError(f"how must be vstack, hstack, dstack or stack, got {how!r}")
    if how == "stack":  # new axis 0; every shape must be equal
        if len(set(shapes)) != 1:
            raise ValueError(f"shapes must be equal for stack, got {shapes}")
        return (len(shapes), *shapes[0])
    # vstack / dstack first promote to at least 2-D / 3-D, like np.atleast_2d / np.atleast_3d.
    if how == "vstack":
        shapes = [(1, *s) if len(s) == 1 else ((1, 1) if len(s) == 0 else s) for s in shapes]
        axis = 0
    elif how == "dstack":
        promoted = []
        for s in shapes:
            if len(s) == 0:
                s = (1, 1, 1)
            elif len(s) == 1:
                s = (1, s[0], 1)
            elif len(s) == 2:
                s = (*s, 1)
            promoted.append(s)
        shapes, axis = promoted, 2
    else:  # hstack: axis 1, except for 1-D (and 0-D) inputs, which are joined along axis 0
        shapes = [(1,) if len(s) == 0 else s for s in shapes]
        axis = 0 if len(shapes[0]) == 1 else 1
    ndim = len(shapes[0])
    if any(len(s) != ndim for s in shapes):
        raise ValueError(f"all inputs need the same number of dimensions, got {shapes}")
    others = {s[:axis] + s[axis + 1 :] for s in shapes}
    if len(others) != 1:
        raise ValueError(f"shapes must agree except along axis {axis}, got {shapes}")
    joined = sum(s[axis] for s in shapes)
    first = shapes[0]
    return (*first[:axis], joined, *first[axis + 1 :])


# --8<-- [end:stack_shape]


if __name__ == "__main__":
    # --8<-- [start:demo]
    a = np.arange(1, 7).reshape(2, 3, 1)  # shape (2, 3, 1), the example of the notes
    b = np.arange(7, 13).reshape(2, 3, 1)
    assert np.vstack([a, b]).shape == (4, 3, 1)  # axis 0
    assert np.hstack([a, b]).shape == (2, 6, 1)  # axis 1
    assert np.dstack([a, b]).shape == (2, 3, 2)  # axis 2
    assert np.stack([a, b]).shape == (2, 2, 3, 1)  # a new axis 0
    for axis, how in enumerate(["vstack", "hstack", "dstack"]):
        joined = getattr(np, how)([a, b])
        assert np.array_equal(joined, np.concatenate([a, b], axis=axis))
    # --8<-- [end:demo]

    # --8<-- [start:demo_1d]
    u, v = np.array([1, 2, 3]), np.array([4, 5, 6])
    assert np.hstack([u, v]).shape == (6,)  # 1-D: hstack joins along axis 0
    assert np.vstack([u, v]).shape == (2, 3)  # 1-D inputs become rows first
    assert np.dstack([u, v]).shape == (1, 3, 2)
    # --8<-- [end:demo_1d]
    # --8<-- [start:demo_predict]
    for how in ["vstack", "hstack", "dstack", "stack"]:
        assert stack_shape([a.shape, b.shape], how) == getattr(np, how)([a, b]).shape
        assert stack_shape([u.shape, v.shape], how) == getattr(np, how)([u, v]).shape
    # --8<-- [end:demo_predict]
    print(stack_shape([(2, 3, 1), (2, 3, 1)], "hstack"))
