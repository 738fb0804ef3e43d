"""tspcli.ops: numbers equal to Keras', shapes by Keras' rules, clear errors."""

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from tspcli import ops
from tspcli.errors import OptionError, ShapeError

TOL = dict(rtol=1e-5, atol=1e-5)
# The same examples every run: the oracle suite is reproducible.
ORACLE = settings(max_examples=30, deadline=None, derandomize=True)


def reference_depthwise(x, kernel, strides, padding, dilation):
    """Plain definition: zero-pad as Keras does, then sum over taps."""
    (sh, sw), (dh, dw) = strides, dilation
    kh, kw, c, m = kernel.shape
    h, w = x.shape[:2]
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        th = max((oh - 1) * sh + dh * (kh - 1) + 1 - h, 0)
        tw = max((ow - 1) * sw + dw * (kw - 1) + 1 - w, 0)
        x = np.pad(x, ((th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)))
    else:
        oh = (h - dh * (kh - 1) - 1) // sh + 1
        ow = (w - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((oh, ow, c, m))
    for i in range(kh):
        for j in range(kw):
            patch = x[i * dh::sh, j * dw::sw][:oh, :ow]
            out += patch[:, :, :, None] * kernel[i, j]
    return out.reshape(oh, ow, c * m)


def rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


# --- hand-computed cases -------------------------------------------------------------

def test_depthwise_same_sums_the_neighbourhood_zero_padded():
    x = np.arange(9, dtype=np.float32).reshape(3, 3, 1)
    out = ops.depthwise_conv2d(x, np.ones((3, 3, 1, 1)), padding="same")
    assert out.shape == (3, 3, 1) and out.dtype == np.float32
    assert out[1, 1, 0] == 36            # every cell
    assert out[0, 0, 0] == 0 + 1 + 3 + 4  # corner: four real cells
    assert out[2, 1, 0] == 3 + 4 + 5 + 6 + 7 + 8


def test_depthwise_output_channel_is_c_times_multiplier_plus_m():
    x = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 10.0)], axis=-1)
    kernel = np.array([[1, 2, 3], [4, 5, 6]], np.float32).reshape(1, 1, 2, 3)
    out = ops.depthwise_conv2d(x, kernel)
    np.testing.assert_array_equal(out[0, 0], [1, 2, 3, 40, 50, 60])


def test_depthwise_same_stride_two_pads_bottom_right():
    # 4 wide, kernel 2, stride 2: total pad 0 -> windows (0,1) and (2,3).
    # 5 wide, kernel 2, stride 2: 3 outputs, total pad 1, all of it on the right.
    x = np.arange(5, dtype=np.float32).reshape(1, 5, 1)
    out = ops.depthwise_conv2d(x, np.ones((1, 2, 1, 1)), strides=2, padding="same")
    np.testing.assert_array_equal(out[0, :, 0], [0 + 1, 2 + 3, 4])


def test_depthwise_keeps_batch_axis_and_matches_plain_definition():
    rng = np.random.default_rng(3)
    x, k = rand(rng, 2, 9, 8, 3), rand(rng, 3, 2, 3, 2)
    out = ops.depthwise_conv2d(x, k, strides=(2, 1), padding="same", dilation_rate=(1, 2))
    for n in range(2):
        ref = reference_depthwise(x[n], k, (2, 1), "same", (1, 2))
        np.testing.assert_allclose(out[n], ref, **TOL)


@pytest.mark.parametrize("strides, dilation", [((1, 1), (1, 1)), ((2, 3), (1, 1)), ((1, 1), (2, 3))])
def test_kernels_split_into_row_blocks_give_the_same_numbers(monkeypatch, strides, dilation):
    from tspcli.ops import conv, depthwise
    rng = np.random.default_rng(6)
    x, k = rand(rng, 13, 11, 2), rand(rng, 3, 4, 2, 2)
    whole = ops.depthwise_conv2d(x, k, strides, "same", dilation)
    dense = ops.conv2d(x, k, strides, "same", dilation)
    monkeypatch.setattr(depthwise, "_BLOCK", 40)        # a few output rows per block
    monkeypatch.setattr(conv, "_PATCH_BYTES", 2000)
    np.testing.assert_allclose(ops.depthwise_conv2d(x, k, strides, "same", dilation), whole,
                               **TOL)
    np.testing.assert_allclose(whole, reference_depthwise(x, k, strides, "same", dilation), **TOL)
    np.testing.assert_allclose(ops.conv2d(x, k, strides, "same", dilation),
                               dense, **TOL)


def test_depthwise_equals_conv2d_with_block_diagonal_kernel():
    rng = np.random.default_rng(4)
    x, k = rand(rng, 7, 6, 3), rand(rng, 3, 3, 3, 2)
    dense = np.zeros((3, 3, 3, 6), np.float32)
    for c in range(3):
        dense[:, :, c, 2 * c:2 * c + 2] = k[:, :, c]
    for padding in ("valid", "same"):
        np.testing.assert_allclose(ops.depthwise_conv2d(x, k, 2, padding),
                                   ops.conv2d(x, dense, 2, padding), **TOL)


def test_pointwise_conv2d_is_a_matmul():
    rng = np.random.default_rng(5)
    x, k = rand(rng, 4, 5, 6), rand(rng, 1, 1, 6, 3)
    np.testing.assert_allclose(ops.conv2d(x, k), x @ k[0, 0], **TOL)
    np.testing.assert_allclose(ops.conv2d(x, k, strides=2, padding="same"),
                               x[::2, ::2] @ k[0, 0], **TOL)


def test_conv1d_causal_sees_only_the_past():
    x = np.arange(1, 6, dtype=np.float32).reshape(5, 1)
    out = ops.conv1d(x, np.ones((3, 1, 1)), padding="causal", dilation_rate=1)
    np.testing.assert_array_equal(out[:, 0], [1, 1 + 2, 1 + 2 + 3, 2 + 3 + 4, 3 + 4 + 5])


def test_conv2d_transpose_stride_equal_to_kernel_tiles_the_kernel():
    x = np.array([[1, 2], [3, 4]], np.float32).reshape(2, 2, 1)
    kernel = np.array([[1, 10], [100, 1000]], np.float32).reshape(2, 2, 1, 1)
    out = ops.conv2d_transpose(x, kernel, strides=2)
    np.testing.assert_array_equal(out[:, :, 0], np.kron(x[:, :, 0], kernel[:, :, 0, 0]))


def test_average_pool_same_divides_by_real_cells():
    out = ops.pool2d(np.ones((3, 3, 2)), 2, padding="same", mode="average")
    np.testing.assert_array_equal(out, np.ones((2, 2, 2)))


def test_max_pool_same_never_picks_the_padding():
    out = ops.pool2d(-np.ones((3, 3, 1)), 2, padding="same")
    np.testing.assert_array_equal(out, -np.ones((2, 2, 1)))


def test_pool1d_and_strides_default_to_pool_size():
    x = np.array([1, 5, 2, 8, 3, 0, 7], np.float32).reshape(7, 1)
    np.testing.assert_array_equal(ops.pool1d(x, 2)[:, 0], [5, 8, 3])
    np.testing.assert_allclose(ops.pool1d(x, 3, strides=2, mode="average")[:, 0],
                               [8 / 3, 13 / 3, 10 / 3], rtol=1e-6)


def test_upsample_repeats_rows_and_columns():
    x = np.array([[1, 2], [3, 4]], np.float32).reshape(2, 2, 1)
    np.testing.assert_array_equal(ops.upsample2d(x, (2, 3))[:, :, 0],
                                  np.kron(x[:, :, 0], np.ones((2, 3))))
    np.testing.assert_array_equal(ops.upsample1d(np.arange(3.0).reshape(1, 3, 1), 2)[0, :, 0],
                                  [0, 0, 1, 1, 2, 2])


@pytest.mark.parametrize("n, k, s, padding, d, expected", [
    (224, 3, 2, "same", 1, 112), (7, 3, 1, "valid", 1, 5), (7, 3, 1, "valid", 2, 3),
    (5, 2, 2, "causal", 1, 3), (2, 3, 1, "valid", 1, 0)])
def test_conv_output_size(n, k, s, padding, d, expected):
    assert ops.conv_output_size(n, k, s, padding, d) == expected


@pytest.mark.parametrize("n, k, s, padding, op, d, expected", [
    (4, 3, 2, "same", None, 1, 8), (4, 3, 2, "valid", None, 1, 9), (4, 1, 3, "valid", None, 1, 12),
    (4, 3, 2, "same", 1, 1, 8), (4, 3, 2, "valid", 1, 1, 10), (4, 3, 1, "valid", None, 2, 8)])
def test_conv_transpose_output_size(n, k, s, padding, op, d, expected):
    assert ops.conv_transpose_output_size(n, k, s, padding, op, d) == expected
    x = np.ones((n, n, 1), np.float32)
    out = ops.conv2d_transpose(x, np.ones((k, k, 1, 1)), s, padding, op, d)
    assert out.shape == (expected, expected, 1)


# --- argument errors ------------------------------------------------------------------

@pytest.mark.parametrize("call, error, words", [
    (lambda: ops.depthwise_conv2d(np.ones((4, 4)), np.ones((3, 3, 1, 1))), ShapeError, "(4, 4)"),
    (lambda: ops.depthwise_conv2d(np.ones((4, 4, 3)), np.ones((3, 3, 2, 1))), ShapeError,
     "2 input channels"),
    (lambda: ops.depthwise_conv2d(np.ones((4, 4, 1)), np.ones((3, 3, 1))), ShapeError,
     "(3, 3, 1)"),
    (lambda: ops.depthwise_conv2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 1)), strides=(0, 1)),
     OptionError, "(0, 1)"),
    (lambda: ops.depthwise_conv2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 1)), strides=-2),
     OptionError, "-2"),
    (lambda: ops.depthwise_conv2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 1)), padding="full"),
     OptionError, "'full'"),
    (lambda: ops.depthwise_conv2d(np.ones((2, 4, 1)), np.ones((3, 3, 1, 1))), ShapeError,
     "output size would be 0"),
    (lambda: ops.conv2d(np.ones((4, 4, 3)), np.ones((3, 3, 4, 2))), ShapeError, "4 input channels"),
    (lambda: ops.conv2d(np.ones((4, 4, 3)), np.ones((3, 3, 3, 2)), dilation_rate=(1, 2, 3)),
     OptionError, "(1, 2, 3)"),
    (lambda: ops.conv1d(np.ones((4, 3)), np.ones((2, 3, 1)), padding="full"), OptionError,
     "'causal'"),
    (lambda: ops.conv2d_transpose(np.ones((4, 4, 3)), np.ones((3, 3, 2, 3)), 2,
                                  output_padding=2), OptionError, "output_padding (2, 2)"),
    (lambda: ops.conv2d_transpose(np.ones((4, 4, 3)), np.ones((3, 3, 3, 2))), ShapeError,
     "2 input channels"),
    (lambda: ops.pool2d(np.ones((4, 4, 1)), 2, mode="median"), OptionError, "'median'"),
    (lambda: ops.pool2d(np.ones((4, 4, 1)), 5), ShapeError, "output size would be 0"),
    (lambda: ops.conv2d([["a"]], np.ones((1, 1, 1, 1))), Exception, "numeric"),
])
def test_bad_arguments_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


# --- a real model: tf.keras 2's own outputs -------------------------------------------

def test_depthwise_mix_model_equals_tf_keras(shared_data):
    h5py = pytest.importorskip("h5py")
    base = shared_data / "tfkeras2" / "tfk2_depthwise_mix"
    oracle = np.load(f"{base}.oracle.npz")
    with h5py.File(f"{base}.h5") as f:
        w = {name: _layer_weights(f["model_weights"][name])
             for name in ("dw_rect", "sep", "deconv")}
    x = np.load(f"{base}.input.npy")
    # DepthwiseConv2D((3, 1), strides 2, same, depth_multiplier 3)
    dw = ops.depthwise_conv2d(x, w["dw_rect"]["depthwise_kernel"], 2, "same") + w["dw_rect"]["bias"]
    np.testing.assert_allclose(dw, oracle["dw_rect"], **TOL)
    # SeparableConv2D(5, 2x2, strides 2, valid)
    sep = ops.separable_conv2d(dw, w["sep"]["depthwise_kernel"], w["sep"]["pointwise_kernel"],
                               2, "valid") + w["sep"]["bias"]
    np.testing.assert_allclose(sep, oracle["sep"], **TOL)
    # Conv2DTranspose(4, 3, strides 2, same)
    deconv = ops.conv2d_transpose(sep, w["deconv"]["kernel"], 2, "same") + w["deconv"]["bias"]
    np.testing.assert_allclose(deconv, oracle["deconv"], **TOL)


def _layer_weights(group):
    """{'kernel': array, ...} from a Keras 2 HDF5 layer group ('dw_rect/depthwise_kernel:0')."""
    found = {}
    group.visititems(lambda name, obj: found.update({name.split("/")[-1].split(":")[0]: obj[()]})
                     if hasattr(obj, "shape") else None)
    return found


# --- Keras (jax) as the oracle ------------------------------------------------------

pair = st.tuples(st.integers(1, 3), st.integers(1, 3))


def fits(n, k, d):
    """Whether a 'valid' window of k taps dilated by d fits in n."""
    return n >= d * (k - 1) + 1
size = st.integers(1, 11)


@pytest.mark.slow
@ORACLE
@given(n=st.integers(1, 2), h=size, w=size, c=st.integers(1, 4), m=st.integers(1, 3),
       kh=st.integers(1, 4), kw=st.integers(1, 4), strides=pair, dilation=pair,
       padding=st.sampled_from(["valid", "same"]), seed=st.integers(0, 2 ** 16))
def test_depthwise_equals_keras(keras, n, h, w, c, m, kh, kw, strides, dilation, padding, seed):
    assume(padding == "same" or fits(h, kh, dilation[0]) and fits(w, kw, dilation[1]))
    rng = np.random.default_rng(seed)
    x, k = rand(rng, n, h, w, c), rand(rng, kh, kw, c, m)
    ours = ops.depthwise_conv2d(x, k, strides, padding, dilation)
    theirs = keras.ops.depthwise_conv(x, k, strides, padding, dilation_rate=dilation)
    np.testing.assert_allclose(ours, np.asarray(theirs), **TOL)


@pytest.mark.slow
@ORACLE
@given(n=st.integers(1, 2), h=size, w=size, cin=st.integers(1, 4), cout=st.integers(1, 4),
       kh=st.integers(1, 4), kw=st.integers(1, 4), strides=pair, dilation=pair,
       padding=st.sampled_from(["valid", "same"]), seed=st.integers(0, 2 ** 16))
def test_conv2d_equals_keras(keras, n, h, w, cin, cout, kh, kw, strides, dilation, padding, seed):
    assume(padding == "same" or fits(h, kh, dilation[0]) and fits(w, kw, dilation[1]))
    rng = np.random.default_rng(seed)
    x, k = rand(rng, n, h, w, cin), rand(rng, kh, kw, cin, cout)
    ours = ops.conv2d(x, k, strides, padding, dilation)
    theirs = keras.ops.conv(x, k, strides, padding, dilation_rate=dilation)
    np.testing.assert_allclose(ours, np.asarray(theirs), **TOL)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True)
@given(length=st.integers(1, 14), cin=st.integers(1, 3), cout=st.integers(1, 3),
       k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 3),
       padding=st.sampled_from(["valid", "same", "causal"]), seed=st.integers(0, 2 ** 16))
def test_conv1d_equals_keras_layer(keras, length, cin, cout, k, s, d, padding, seed):
    assume(padding != "valid" or fits(length, k, d))
    assume(s == 1 or d == 1)  # Keras' Conv1D refuses both
    rng = np.random.default_rng(seed)
    x, kernel = rand(rng, 2, length, cin), rand(rng, k, cin, cout)
    layer = keras.layers.Conv1D(cout, k, strides=s, padding=padding, dilation_rate=d,
                                use_bias=False)
    layer.build((None, length, cin))
    layer.set_weights([kernel])
    np.testing.assert_allclose(ops.conv1d(x, kernel, s, padding, d), np.asarray(layer(x)), **TOL)


@pytest.mark.slow
@ORACLE
@given(h=size, w=size, cin=st.integers(1, 3), cout=st.integers(1, 3),
       kh=st.integers(1, 4), kw=st.integers(1, 4), strides=pair, dilation=pair,
       padding=st.sampled_from(["valid", "same"]), with_output_padding=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_conv2d_transpose_equals_keras(keras, h, w, cin, cout, kh, kw, strides, dilation, padding,
                                       with_output_padding, seed):
    if max(strides) > 1:
        dilation = (1, 1)  # as Keras' Conv2DTranspose requires
    output_padding = None
    if with_output_padding:
        output_padding = (seed % strides[0], (seed // 7) % strides[1])
        assume(min(ops.conv_transpose_output_size(n, k, s, padding, p, d) for n, k, s, p, d in
                   zip((h, w), (kh, kw), strides, output_padding, dilation)) > 0)
    rng = np.random.default_rng(seed)
    x, k = rand(rng, 2, h, w, cin), rand(rng, kh, kw, cout, cin)
    ours = ops.conv2d_transpose(x, k, strides, padding, output_padding, dilation)
    theirs = keras.ops.conv_transpose(x, k, strides, padding, output_padding,
                                      dilation_rate=dilation)
    np.testing.assert_allclose(ours, np.asarray(theirs), **TOL)


@pytest.mark.slow
def test_conv2d_transpose_equals_keras_layer(keras):
    rng = np.random.default_rng(7)
    x, k = rand(rng, 1, 5, 6, 2), rand(rng, 3, 4, 3, 2)
    layer = keras.layers.Conv2DTranspose(3, (3, 4), strides=(2, 3), padding="same",
                                         output_padding=(1, 2), use_bias=False)
    layer.build((None, 5, 6, 2))
    layer.set_weights([k])
    np.testing.assert_allclose(ops.conv2d_transpose(x, k, (2, 3), "same", (1, 2)),
                               np.asarray(layer(x)), **TOL)


@pytest.mark.slow
@ORACLE
@given(n=st.integers(1, 2), h=size, w=size, c=st.integers(1, 3), pool=pair,
       strides=st.one_of(st.none(), pair), padding=st.sampled_from(["valid", "same"]),
       mode=st.sampled_from(["max", "average"]), seed=st.integers(0, 2 ** 16))
def test_pool2d_equals_keras(keras, n, h, w, c, pool, strides, padding, mode, seed):
    assume(padding == "same" or (h >= pool[0] and w >= pool[1]))
    x = rand(np.random.default_rng(seed), n, h, w, c)
    keras_pool = keras.ops.max_pool if mode == "max" else keras.ops.average_pool
    # Keras' jax max_pool mishandles strides=None with a tuple pool size: spell it out.
    keras_strides = pool if strides is None else strides
    np.testing.assert_allclose(ops.pool2d(x, pool, strides, padding, mode),
                               np.asarray(keras_pool(x, pool, keras_strides, padding)), **TOL)


@pytest.mark.slow
@settings(max_examples=20, deadline=None, derandomize=True)
@given(length=st.integers(1, 12), pool=st.integers(1, 3), strides=st.integers(1, 3),
       padding=st.sampled_from(["valid", "same"]), mode=st.sampled_from(["max", "average"]),
       seed=st.integers(0, 2 ** 16))
def test_pool1d_equals_keras(keras, length, pool, strides, padding, mode, seed):
    assume(padding == "same" or length >= pool)
    x = rand(np.random.default_rng(seed), 2, length, 3)
    keras_pool = keras.ops.max_pool if mode == "max" else keras.ops.average_pool
    np.testing.assert_allclose(ops.pool1d(x, pool, strides, padding, mode),
                               np.asarray(keras_pool(x, pool, strides, padding)), **TOL)


@pytest.mark.slow
def test_upsampling_equals_keras_layers(keras):
    rng = np.random.default_rng(8)
    x2, x1 = rand(rng, 2, 3, 4, 2), rand(rng, 2, 5, 3)
    np.testing.assert_array_equal(ops.upsample2d(x2, (2, 3)),
                                  np.asarray(keras.layers.UpSampling2D((2, 3))(x2)))
    np.testing.assert_array_equal(ops.upsample1d(x1, 3),
                                  np.asarray(keras.layers.UpSampling1D(3)(x1)))
