"""Feature maps' pixels: each value's step of its map's range, through the layer's colour table."""
import numpy as np
import pytest

from tspcli.scene import style

RGB = (0.98, 0.75, 0.12)


def by_normalise(values, lo_hi, shader):
    """The definition: min-max scale each channels-first map to 0..1, then the table."""
    return shader.rgba(style.normalise(np.moveaxis(values, -1, 0), lo_hi), RGB)


@pytest.mark.parametrize("lo_hi", [None, (-1.0, 2.0), (0.5, 0.5)])
@pytest.mark.parametrize("ink", [False, True])
def test_levels_are_normalise_times_255_exactly(lo_hi, ink):
    rng = np.random.default_rng(1)
    values = np.maximum(rng.standard_normal((9, 7, 5), dtype=np.float32), 0)
    values[..., 2] = 0.25                                       # a constant map: its lowest step
    shader = style.Shader(ink=ink)
    fast = shader.rgba_levels(style.levels(values, lo_hi), RGB)
    assert fast.shape == (5, 9, 7, 4) and fast.flags.c_contiguous
    assert np.array_equal(fast, by_normalise(values, lo_hi, shader))
    if lo_hi is None:
        assert np.all(style.levels(values, None)[2] == 0)
        assert style.levels(values, None)[0].max() == 255


def test_levels_of_nan_and_inf_values_follow_normalise():
    values = np.random.default_rng(2).standard_normal((6, 6, 2)).astype(np.float32)
    values[1, 1, 0], values[2, 2, 1] = np.nan, np.inf
    shader = style.Shader()
    with np.errstate(invalid="ignore"):
        assert np.array_equal(shader.rgba_levels(style.levels(values, None), RGB), by_normalise(values, None, shader))
