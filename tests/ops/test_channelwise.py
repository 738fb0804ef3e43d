"""Per-channel scale and shift over long rows: the same numbers as numpy's broadcasting, for any shape."""
import numpy as np
import pytest

from tspcli.ops.channelwise import ChannelAffine, run_length


@pytest.mark.parametrize("shape", [(112, 112, 32), (7, 7, 960), (13, 17, 3), (101, 5), (9000,), (4, 3, 10000),
                                   (0, 4, 3)])
def test_equals_broadcasting_bit_for_bit(shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(np.float32)
    scale, shift = rng.normal(size=shape[-1]).astype(np.float32), rng.normal(size=shape[-1]).astype(np.float32)
    affine = ChannelAffine(shape, scale, shift)
    assert affine.run % shape[-1] == 0 and x.size % affine.run == 0
    y = affine(x)
    assert y.dtype == np.float32 and y.shape == shape and not np.shares_memory(x, y)
    assert np.array_equal(y, x * scale + shift)
    assert np.array_equal(ChannelAffine(shape, shift=shift)(x), x + shift)
    assert np.array_equal(ChannelAffine(shape, scale)(x), x * scale)


def test_runs_reach_numpy_buffer_length_where_the_positions_allow():
    assert run_length((112, 112, 32)) == 8192            # 256 positions of 32 channels
    assert run_length((28, 28, 192)) >= 8192
    assert run_length((7, 7, 960)) == 7 * 7 * 960       # 49 positions: 7 make 6720 < 8192, so all 49
    assert run_length((10007, 3)) == 10007 * 3           # a prime number of positions: all, if not too long,
    assert run_length((100003, 3)) == 3                  # else one at a time
    assert run_length((5,)) == 5


def test_in_place_and_strided_inputs():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 8, 5)).astype(np.float32)
    shift = np.arange(5, dtype=np.float32)
    expected = x + shift
    own = x.copy()
    assert ChannelAffine(x.shape, shift=shift)(own, out=own) is own
    assert np.array_equal(own, expected)
    strided = x[:, ::-1]                                 # not contiguous: broadcast, same numbers
    assert np.array_equal(ChannelAffine(strided.shape, shift=shift)(strided), strided + shift)
    with pytest.raises(ValueError, match=r"\(6, 8, 5\)"):
        ChannelAffine((6, 8, 5), shift=shift)(x[:3])
