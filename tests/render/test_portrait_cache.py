"""The built-in portrait is decoded and resized once per size, then read from the user's cache folder."""
import numpy as np
import pytest

from tspcli.io import inputs


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "tspcli" / "portrait-32x24-v1.npy"


def test_the_cached_portrait_is_the_one_made_from_the_photograph(cache):
    made = inputs._resized_portrait((32, 24, 3))
    if made is None:
        pytest.skip("matplotlib's sample photograph is not installed")
    first = inputs._portrait((32, 24, 3))
    assert cache.is_file() and np.array_equal(np.load(cache), made)
    assert np.array_equal(first, made.astype(np.float32))
    assert np.array_equal(inputs._portrait((32, 24, 3)), first)         # read back: the same values


@pytest.mark.parametrize("content", [b"not an npy file", b"\x93NUMPY" + b"\0" * 20000])
def test_a_damaged_cache_file_is_remade_not_trusted(cache, content):
    made = inputs._resized_portrait((32, 24, 3))
    if made is None:
        pytest.skip("matplotlib's sample photograph is not installed")
    cache.parent.mkdir(parents=True)
    cache.write_bytes(content)
    assert np.array_equal(inputs._portrait((32, 24, 3)), made.astype(np.float32))
    assert np.array_equal(np.load(cache), made)


def test_a_wrong_shape_in_the_cache_is_remade(cache):
    made = inputs._resized_portrait((32, 24, 3))
    if made is None:
        pytest.skip("matplotlib's sample photograph is not installed")
    cache.parent.mkdir(parents=True)
    np.save(cache, np.zeros((24, 32, 3), np.uint8))
    assert np.array_equal(inputs._portrait((32, 24, 3)), made.astype(np.float32))
