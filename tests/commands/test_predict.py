"""`tspcli predict` and model.predict as a user relies on them."""
import hashlib
import json

import numpy as np
import pytest

import tspcli
from tspcli.io.inputs import preprocess, read_input, sample_input


def test_predict_writes_one_array_per_layer(cli, tmp_path):
    out = tmp_path / "acts.npz"
    r = cli("predict", "samples/lenet.yaml", "--output", out)
    assert r.code == 0, r.err
    with np.load(out) as acts:
        names = acts.files
        assert names == ["input", "padding", "conv1", "pool1", "conv2", "pool2", "flatten", "dense1", "dense2",
                         "output"]
        assert acts["conv1"].shape == (28, 28, 6) and acts["conv1"].dtype == np.float32
        assert acts["output"].sum() == pytest.approx(1.0, abs=1e-5)  # softmax
        assert acts["conv1"].std() > 0  # default weights are not trivial
    assert "output: top 5" in r.out


def test_predict_is_deterministic_byte_for_byte(cli, tmp_path):
    digests = []
    for i in range(2):
        out = tmp_path / f"a{i}.npz"
        assert cli("predict", "samples/functional.yaml", "-o", out, "--seed", "7").code == 0
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    other = tmp_path / "b.npz"
    cli("predict", "samples/functional.yaml", "-o", other, "--seed", "8")
    assert hashlib.sha256(other.read_bytes()).hexdigest() != digests[0]


def test_predict_json_top_classes_use_output_labels(cli):
    r = cli("predict", "samples/functional.yaml", "--json", "--top", "2")
    doc = json.loads(r.out)
    top = doc["outputs"]["classes"]["top"]
    assert len(top) == 2 and {t["label"] for t in top} <= {"cat", "dog", "bird", "fish", "frog"}
    assert top[0]["value"] >= top[1]["value"]
    assert [l["name"] for l in doc["layers"]][:2] == ["image", "stem"]


def test_shape_only_layers_are_reported_not_fatal(cli, tmp_path):
    out = tmp_path / "d.npz"
    r = cli("predict", "samples/depthwise.yaml", "-o", out)
    assert r.code == 0
    assert "layer 'dw_shape' has no values" in r.err
    with np.load(out) as acts:
        assert "dw_shape" not in acts.files and acts["dw_same"].shape == (32, 32, 6)


def test_weights_npz_in_description(tmp_path):
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(3, 3, 1, 2)).astype("float32")
    bias = np.array([0.5, -0.5], "float32")
    np.savez(tmp_path / "w.npz", **{"dw/depthwise_kernel": kernel, "dw/bias": bias})
    (tmp_path / "m.yaml").write_text("model: {weights: w.npz}\nlayers:\n"
                                     "  - {type: GreyscaleInput, name: x, shape: [5, 5]}\n"
                                     "  - {type: DepthwiseConv2d, name: dw, kernelSize: 3, depthMultiplier: 2}\n")
    model = tspcli.load(str(tmp_path / "m.yaml"))
    x = rng.normal(size=(5, 5, 1)).astype("float32")
    y = model.predict(x[None])  # a leading batch axis of 1 is accepted
    expected = np.stack([sum(x[i:i + 3, j:j + 3, 0] * kernel[:, :, 0, m] for i in [0] for j in [0]).sum() + bias[m]
                         for m in range(2)])
    np.testing.assert_allclose(y[0, 0], expected, rtol=1e-5)
    assert model.get_layer("dw").neural_value.shape == (3, 3, 2)


def test_weights_npz_errors(cli, tmp_path):
    np.savez(tmp_path / "w.npz", **{"dw/depthwise_kernel": np.zeros((2, 2, 1, 1), "float32")})
    (tmp_path / "m.yaml").write_text("model: {weights: w.npz}\nlayers:\n"
                                     "  - {type: GreyscaleInput, name: x, shape: [5, 5]}\n"
                                     "  - {type: DepthwiseConv2d, name: dw, kernelSize: 3}\n")
    r = cli("predict", tmp_path / "m.yaml")
    assert r.code == 2 and "has shape [2, 2, 1, 1], the layer needs [3, 3, 1, 1]" in r.err
    np.savez(tmp_path / "w.npz", **{"dx/depthwise_kernel": np.zeros((3, 3, 1, 1), "float32")})
    r = cli("predict", tmp_path / "m.yaml")
    assert r.code == 2 and "unknown layer 'dx'" in r.err


def test_inputs_npy_json_image(cli, tmp_path, shared_data):
    r = cli("predict", "samples/lenet.yaml", "--input", shared_data / "tensorspace" / "digit5.json", "--json")
    assert r.code == 0, r.err
    x = read_input(str(shared_data / "tensorspace" / "digit5.json"), (28, 28, 1))
    assert x.shape == (28, 28, 1) and 0 <= x.min() and x.max() <= 1


def test_input_errors(cli, tmp_path):
    np.save(tmp_path / "bad.npy", np.zeros((3, 3), "float32"))
    r = cli("predict", "samples/lenet.yaml", "--input", tmp_path / "bad.npy")
    assert r.code == 2 and "has shape [3, 3], the model's input is [28, 28, 1]" in r.err
    np.save(tmp_path / "nan.npy", np.full((28, 28, 1), np.nan, "float32"))
    r = cli("predict", "samples/lenet.yaml", "--input", tmp_path / "nan.npy")
    assert r.code == 2 and "NaN" in r.err
    (tmp_path / "x.png").write_bytes(b"not a png")
    r = cli("predict", "samples/lenet.yaml", "--input", tmp_path / "x.png")
    assert r.code == 2 and "not a readable image" in r.err and "Traceback" not in r.err
    r = cli("predict", "samples/lenet.yaml", "--input", tmp_path / "none.npy")
    assert r.code == 2 and "no such file" in r.err


def test_image_input_is_resized_and_converted(tmp_path):
    from PIL import Image

    rgb = np.zeros((40, 60, 3), np.uint8)
    rgb[..., 0] = 255
    Image.fromarray(rgb).save(tmp_path / "red.png")
    grey = read_input(str(tmp_path / "red.png"), (28, 28, 1), "none")
    assert grey.shape == (28, 28, 1) and np.allclose(grey, 76, atol=1)  # ITU-R 601 luma of pure red
    colour = read_input(str(tmp_path / "red.png"), (10, 10, 3), "tf")
    assert colour.shape == (10, 10, 3) and np.allclose(colour[..., 0], 1) and np.allclose(colour[..., 1], -1)


def test_preprocess_modes():
    x = np.full((2, 2, 3), 255.0, np.float32)
    assert preprocess(x, "unit").max() == 1
    assert preprocess(x, "tf").min() == 1
    caffe = preprocess(x, "caffe")
    np.testing.assert_allclose(caffe[0, 0], [255 - 103.939, 255 - 116.779, 255 - 123.68], rtol=1e-6)
    torch = preprocess(x, "torch")
    np.testing.assert_allclose(torch[0, 0], (1 - np.array([0.485, 0.456, 0.406])) / [0.229, 0.224, 0.225],
                               rtol=1e-5)


def test_sample_inputs_have_structure():
    for shape in [(224, 224, 3), (28, 28, 1), (100,), (16, 4)]:
        x = sample_input(shape)
        assert x.shape == shape and x.dtype == np.float32 and np.isfinite(x).all()
        assert x.std() > 0.05  # not flat
        assert np.array_equal(x, sample_input(shape))  # deterministic
