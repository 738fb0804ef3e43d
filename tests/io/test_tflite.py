"""TensorFlow Lite files: the shared converter-made file against its oracle, and models written
here (tests/tflite_models.py) against the TensorFlow Lite interpreter (ai-edge-litert), layer by
layer; quantized weights; bad files are one line and exit 2."""
import json

import numpy as np
import pytest
import yaml

import tspcli
from tflite_models import SE_INPUT_SHAPE, VALID, dynamic_model, int8_model, mixed_model, resize_model, sample_input, se_model
from tspcli.io.tflite import lift_file
from test_model_files_cli import clean_failure


def write(tmp_path, data, name="m.tflite"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def litert():
    return pytest.importorskip("ai_edge_litert.interpreter")


def interpreter_tensors(litert, path, x):
    """Every tensor the interpreter computed for x (no batch axis), by tensor index."""
    it = litert.Interpreter(model_path=str(path), experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x[None])
    it.invoke()
    out = {}
    for d in it.get_tensor_details():
        try:
            out[d["index"]] = it.get_tensor(d["index"])
        except ValueError:  # a tensor the interpreter did not keep
            pass
    return out, it.get_tensor(it.get_output_details()[0]["index"])[0]


def layer_tensors(path):
    """Layer name -> the tensor it gives (the last one, after folded activations)."""
    return {layer: t for t, layer in lift_file(path).layer_of.items()}


def test_shared_converter_file_matches_the_interpreter(shared_data):
    stem = shared_data / "tflite" / "tfk_depthwise_small_float"
    model = tspcli.load(str(stem) + ".tflite")
    rows = [(layer.name, layer.layer_type, layer.output_shape) for layer in model.layers]
    assert rows == [("input_1", "RGBInput", (24, 24, 3)), ("conv2d", "Conv2d", (12, 12, 8)),
                    ("depthwise_conv2d", "DepthwiseConv2d", (12, 12, 16)), ("conv2d_1", "Conv2d", (12, 12, 12)),
                    ("depthwise_conv2d_1", "DepthwiseConv2d", (5, 5, 12)),
                    ("global_average_pooling2d", "GlobalPooling2d", (12,)), ("dense", "Output1d", (4,))]
    assert model.get_layer("depthwise_conv2d").config["depthMultiplier"] == 2
    assert model.get_layer("depthwise_conv2d").config["activation"] == "relu6"
    y = model.predict(np.load(str(stem) + ".input.npy"))
    np.testing.assert_allclose(y, np.load(str(stem) + ".output.npy"), atol=1e-4)
    assert model.notes == []


def test_every_operator_equals_the_interpreter_layer_by_layer(litert, tmp_path):
    path = write(tmp_path, mixed_model("float32"))
    x = sample_input()
    tensors, out = interpreter_tensors(litert, path, x)
    model = tspcli.load(str(path))
    y = model.predict(x)
    np.testing.assert_allclose(y, out, atol=1e-4)
    compared = []
    for name, t in layer_tensors(path).items():
        value = model.get_layer(name).neural_value
        expected = tensors[t].reshape(tensors[t].shape[1:])
        np.testing.assert_allclose(value, expected, atol=1e-4, err_msg=name)
        compared.append(name)
    # all but the Flatten Keras' Dense needs, and ADD before its fused relu: no tensor holds those
    assert {layer.name for layer in model.layers} - set(compared) == {"dense_flatten", "add"}
    types = {layer.name: layer.layer_type for layer in model.layers}
    assert types["dw"] == "DepthwiseConv2d" and types["up"] == "Conv2dTranspose"
    assert types["bilinear.resize"] == "UpSampling2d" and types["dense"] == "Output1d"
    assert model.get_layer("up").config["activation"] == "sigmoid"  # LOGISTIC folded into its producer
    assert model.get_layer("conv2").config["activation"] == "tanh"
    assert model.get_layer("dw").config["dilationRate"] == (2, 2)


def test_layer_names_come_from_tensor_names_and_are_unique(tmp_path):
    model = tspcli.load(str(write(tmp_path, mixed_model())))
    names = [layer.name for layer in model.layers]
    assert len(set(names)) == len(names)
    assert names[:6] == ["image", "conv1", "dw", "hswish", "pool", "pad"]
    assert {"add", "add_relu", "dense_flatten", "dense", "bilinear.resize", "nearest"} <= set(names)


@pytest.mark.parametrize("storage", ["float16", "int8"])
def test_weight_quantized_models_are_within_003_of_the_interpreter(litert, tmp_path, storage):
    path = write(tmp_path, mixed_model(storage))
    x = sample_input()
    _, out = interpreter_tensors(litert, path, x)
    model = tspcli.load(str(path))
    assert np.abs(model.predict(x) - out).max() < 0.03
    # dequantized, the weights are the float model's up to the storage's rounding
    exact = tspcli.load(str(write(tmp_path, mixed_model("float32"), "f.tflite")))
    kernel, rounded = exact.get_layer("conv1").weights["kernel"], model.get_layer("conv1").weights["kernel"]
    step = np.abs(kernel).max(axis=(0, 1, 2)) / 127 if storage == "int8" else np.abs(kernel) * 2**-10
    assert np.all(np.abs(rounded - kernel) <= step / 2 + 1e-7)
    assert model.notes == [f"weights stored as {storage} are dequantized; tspcli computes in float32"]


def calibrated_int8_model(tmp_path):
    """The int8 model, its activations quantized over the ranges its float twin reaches."""
    twin = tspcli.load(str(write(tmp_path, int8_model(), "twin.tflite")))
    x = sample_input()
    twin.predict(x)
    tensor = {"conv": "model/conv/Relu", "dw": "model/dw/Relu6", "pool": "model/pool/MaxPool",
              "gap": "model/gap/Mean", "dense": "model/dense/BiasAdd"}
    ranges = {tensor[layer.name]: (float(layer.neural_value.min()), float(layer.neural_value.max()))
              for layer in twin.layers if layer.name in tensor}
    ranges["quant"] = (-1.0, 1.0)
    return write(tmp_path, int8_model(ranges)), x, twin.predict(x)


def test_fully_int8_model_is_computed_in_float_with_a_note(litert, tmp_path, cli):
    path, x, float_twin = calibrated_int8_model(tmp_path)
    _, out = interpreter_tensors(litert, path, x)
    model = tspcli.load(str(path))
    y = model.predict(x)
    spread = np.abs(float_twin).max()
    assert np.abs(y - float_twin).max() < 0.02 * spread  # only the weights were rounded
    assert np.abs(y - out).max() < 0.05 * spread  # the interpreter also rounds every activation
    doc = json.loads(cli("summary", path, "--json").out)
    assert "int8 activations" in doc["notes"][0] and "float32" in doc["notes"][0]
    assert "Note: the file computes with int8 activations" in cli("summary", path).out


def test_every_command_takes_a_tflite_file(cli, tmp_path):
    path = write(tmp_path, mixed_model())
    assert cli("validate", path).code == 0
    r = cli("predict", path, "--json")
    assert r.code == 0 and json.loads(r.out)["outputs"]["dense"]["shape"] == [5]
    r = cli("convert", path, "-o", tmp_path / "m.yaml")
    assert r.code == 0, r.err
    doc = yaml.safe_load((tmp_path / "m.yaml").read_text())
    entries = {e["name"]: e for e in doc["layers"]}
    assert entries["nearest"]["type"] == "UpSampling2d" and "interpolation" not in entries["nearest"]
    assert entries["bilinear.resize"]["interpolation"] == "bilinear"
    assert entries["aligned.resize"]["coordinateMode"] == "align_corners"
    x = sample_input()
    np.testing.assert_allclose(tspcli.load(str(tmp_path / "m.yaml")).predict(x),
                               tspcli.load(str(path)).predict(x), atol=1e-6)
    view = tmp_path / "view.yaml"
    view.write_text("model: {load: m.tflite}\nlayers:\n  - {type: RGBInput, name: image}\n"
                    "  - {type: DepthwiseConv2d, name: dw, color: '#ff0000'}\n"
                    "  - {type: Output1d, name: dense, outputs: [a, b, c, d, e]}\n")
    model = tspcli.load(str(view))
    assert [layer.name for layer in model.layers if layer.drawn] == ["image", "dw", "dense"]


@pytest.mark.slow
def test_render_and_batch_draw_a_tflite_file(cli, tmp_path):
    iio = pytest.importorskip("imageio.v3")
    path = write(tmp_path, mixed_model())
    r = cli("render", path, "-o", tmp_path / "m.png", "--open", "all", "--size", "320x180")
    assert r.code == 0, r.err
    picture = iio.imread(tmp_path / "m.png")
    depthwise = np.array([0xFB, 0xBF, 0x1F])
    near = np.abs(picture[..., :3].astype(int) - depthwise).sum(axis=-1) < 60
    assert near.sum() > 20  # the depthwise layer in its own colour
    r = cli("batch", "--set", "size=160x120", path, "--out", tmp_path / "b")
    assert r.code == 0, r.err
    assert (tmp_path / "b" / "m.png").is_file()


# --- bad files --------------------------------------------------------------------------------
def test_truncated_and_bit_flipped_files_are_one_clear_line(cli, tmp_path):
    data = mixed_model("int8")
    rng = np.random.default_rng(0)
    variants = [data[:n] for n in (0, 7, 8, 64, 300, len(data) // 2, len(data) - 3)]
    for _ in range(40):
        flipped = bytearray(data)
        for i in rng.integers(0, len(data), size=int(rng.integers(1, 6))):
            flipped[i] ^= 1 << int(rng.integers(0, 8))
        variants.append(bytes(flipped))
    failures = 0
    for n, variant in enumerate(variants):
        r = cli("summary", write(tmp_path, variant, f"v{n}.tflite"))
        assert r.code in (0, 2), (n, r.err)
        if r.code == 2:
            clean_failure(r)
            failures += 1
    assert failures >= len(variants) // 4


def test_identifier_and_schema_version_are_checked(cli, tmp_path):
    data = bytearray(mixed_model())
    data[4:8] = b"TFL2"
    clean_failure(cli("summary", write(tmp_path, bytes(data), "a.tflite")), "not a TensorFlow Lite file")
    from tflite_builder import TFLiteBuilder

    m = TFLiteBuilder()
    x = m.activation("x", (1, 4))
    m.op("RELU", [x], [m.activation("y", (1, 4))])
    clean_failure(cli("summary", write(tmp_path, m.build([x], [1], version=4), "b.tflite")),
                  "schema version 4 is not one tspcli reads")


def test_unsupported_operator_is_named_with_its_index_or_skipped(cli, tmp_path):
    from tflite_builder import TFLiteBuilder

    m = TFLiteBuilder()
    x = m.activation("serving_default_x:0", (1, 4, 4, 2))
    y = m.op("RELU", [x], [m.activation("model/r/Relu", (1, 4, 4, 2))])
    z = m.op("FLOOR", [y], [m.activation("model/floor/Floor", (1, 4, 4, 2))])
    path = write(tmp_path, m.build([x], [z]))
    clean_failure(cli("summary", path), "layer 'floor'", "TensorFlow Lite operator FLOOR (operator 1) is not "
                  "one tspcli computes", "--skip-unknown")
    m = TFLiteBuilder()
    x = m.activation("x", (1, 4, 4, 2))
    y = m.op("RESIZE_NEAREST_NEIGHBOR", [x, m.constant("size", np.array([8, 8], np.int32))],
             [m.activation("model/up/resize", (1, 8, 8, 2))], "ResizeNearestNeighborOptions",
             AlignCorners=True, HalfPixelCenters=True)
    clean_failure(cli("summary", write(tmp_path, m.build([x], [y]), "up.tflite")),
                  "RESIZE_NEAREST_NEIGHBOR (operator 0) both aligns corners and centres half pixels")
    r = cli("summary", path, "--skip-unknown", "--json")
    assert r.code == 0 and json.loads(r.out)["layers"][-1]["type"] == "Layer3d"


def test_squeeze_excitation_grouped_conv_and_written_out_activations_equal_the_interpreter(litert, tmp_path):
    path = write(tmp_path, se_model())
    x = sample_input(shape=SE_INPUT_SHAPE)
    tensors, out = interpreter_tensors(litert, path, x)
    model = tspcli.load(str(path))
    np.testing.assert_allclose(model.predict(x), out, atol=1e-4)
    for name, t in layer_tensors(path).items():
        expected = tensors[t].reshape(tensors[t].shape[1:])
        np.testing.assert_allclose(model.get_layer(name).neural_value, expected, atol=1e-4, err_msg=name)
    types = {layer.name: (layer.layer_type, layer.config.get("activation")) for layer in model.layers}
    assert types["se"] == ("SqueezeExcitation", None)  # MUL of the map and its (1, 1, 1, C) gate
    assert types["se.excite"] == ("Conv2d", "hard_sigmoid")  # ADD 3 (fused RELU6), MUL 1/6 folded in
    assert types["hswish"] == ("Activation3d", "hard_swish")  # ADD 3, RELU6, MUL x, MUL 1/6: one layer
    assert types["grouped"] == ("Conv2d", "hard_tanh") and model.get_layer("grouped").config["groups"] == 2
    assert types["dw"][0] == "DepthwiseConv2d"
    assert [types[n][0] for n in ("scale", "flip", "half")] == ["BatchNormalization"] * 3  # x*c, 0.5-x, x/2
    assert types["centre_2"][0] == "Subtract"  # a map minus its per-channel mean
    assert types["prelu"][0] == "PReLU" and types["unit"] == ("Activation3d", "relu")
    assert model.get_layer("unit").config["maxValue"] == 1.0
    assert len(model.layers) == 21  # from 25 operators


def test_arithmetic_tspcli_does_not_lift_is_refused_naming_the_operator(cli, tmp_path):
    from tflite_builder import TFLiteBuilder

    m = TFLiteBuilder()
    x = m.activation("x", (1, 4, 4, 2))
    rows = m.op("MAX_POOL_2D", [x], [m.activation("model/rows/MaxPool", (1, 4, 1, 2))], "Pool2DOptions",
                Padding=VALID, StrideW=1, StrideH=1, FilterWidth=4, FilterHeight=1)
    y = m.op("MUL", [x, rows], [m.activation("model/rows/mul", (1, 4, 4, 2))], "MulOptions", FusedActivationFunction=0)
    clean_failure(cli("summary", write(tmp_path, m.build([x], [y]))), "MUL (operator 1) broadcasts [4, 4, 2] with "
                  "[4, 1, 2]")
    m = TFLiteBuilder()
    x = m.activation("x", (1, 4, 4, 2))
    y = m.op("ADD", [x, m.constant("ramp", np.ones((1, 4, 1, 2), np.float32))],
             [m.activation("model/ramp/add", (1, 4, 4, 2))], "AddOptions", FusedActivationFunction=0)
    clean_failure(cli("summary", write(tmp_path, m.build([x], [y]), "c.tflite")),
                  "ADD (operator 0) computes a feature map [4, 4, 2] with a constant of shape [1, 4, 1, 2]")
    m = TFLiteBuilder()
    x = m.activation("x", (1, 4, 4, 2))
    y = m.op("DIV", [m.constant("one", np.array(1.0, np.float32)), x], [m.activation("model/inv/div", (1, 4, 4, 2))],
             "DivOptions", FusedActivationFunction=0)
    clean_failure(cli("summary", write(tmp_path, m.build([x], [y]), "d.tflite")), "DIV (operator 0)",
                  "never it by a map")


def test_buffer_that_disagrees_with_its_shape(cli, tmp_path):
    from tflite_builder import TFLiteBuilder

    m = TFLiteBuilder()
    x = m.activation("x", (1, 3))
    w = m.constant("w", np.zeros((2, 3), np.float32))
    m.tensors[w] = ("w", (2, 4), "FLOAT32", m.tensors[w][3], None)  # declares 8 floats, holds 6
    y = m.op("FULLY_CONNECTED", [x, w, -1], [m.activation("y", (1, 2))], "FullyConnectedOptions",
             FusedActivationFunction=0, KeepNumDims=False)
    clean_failure(cli("summary", write(tmp_path, m.build([x], [y]))), "needs 32 bytes, its buffer holds 24")


def test_max_memory_bounds_the_file_and_the_dequantized_weights(cli, tmp_path):
    from tflite_builder import TFLiteBuilder

    m = TFLiteBuilder()
    x = m.activation("x", (1, 256))
    w = m.constant("w", np.ones((64, 256), np.int8), scale=[0.1], zero_point=[0])  # 16 KiB, 64 KiB as float32
    y = m.op("FULLY_CONNECTED", [x, w, -1], [m.activation("y", (1, 64))], "FullyConnectedOptions",
             FusedActivationFunction=0, KeepNumDims=False)
    path = write(tmp_path, m.build([x], [y]))
    clean_failure(cli("summary", path, "--max-memory", "8KiB"), "the TensorFlow Lite file is")
    clean_failure(cli("summary", path, "--max-memory", "32KiB"), "the weights as float32 is 64 KiB")
    assert cli("summary", path, "--max-memory", "1MiB").code == 0



def test_a_fused_activation_tspcli_does_not_compute_makes_the_operator_unsupported(cli, tmp_path):
    from tflite_builder import TFLiteBuilder

    m = TFLiteBuilder()
    x = m.activation("x", (1, 4, 4, 2))
    y = m.op("ADD", [x, x], [m.activation("model/add/add", (1, 4, 4, 2))], "AddOptions", FusedActivationFunction=5)
    path = write(tmp_path, m.build([x], [y]))
    clean_failure(cli("summary", path), "ADD (operator 0) has the fused activation SIGN_BIT")
    assert cli("summary", path, "--skip-unknown").code == 0


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_exact_and_by_its_tanh_formula_equal_the_interpreter(litert, tmp_path, approximate):
    from tflite_builder import TFLiteBuilder, interpreter_outputs

    m = TFLiteBuilder()
    x = m.activation("x", (1, 4, 4, 2))
    y = m.op("GELU", [x], [m.activation("model/gelu/Gelu", (1, 4, 4, 2))], "GeluOptions", Approximate=approximate)
    path = write(tmp_path, m.build([x], [y]))
    x = sample_input(shape=(4, 4, 2)) * 6 - 3
    model = tspcli.load(str(path))
    assert model.get_layer("gelu").config["activation"] == ("gelu_tanh" if approximate else "gelu")
    np.testing.assert_allclose(model.predict(x), interpreter_outputs(path, [x])[0], atol=1e-5)


def test_control_flow_reads_subgraph_0_and_names_the_operator_calling_another(cli, tmp_path):
    from tflite_builder import TFLiteBuilder

    def relu_body():
        body = TFLiteBuilder()
        a = body.activation("a", (1, 4, 4, 2))
        return body, [a], [body.op("RELU", [a], [body.activation("b", (1, 4, 4, 2))])]

    m = TFLiteBuilder()
    x = m.activation("serving_default_x:0", (1, 4, 4, 2))
    y = m.op("TANH", [x], [m.activation("model/t/Tanh", (1, 4, 4, 2))])
    w = m.op("WHILE", [y], [m.activation("model/loop/While", (1, 4, 4, 2))], "WhileOptions",
             CondSubgraphIndex=1, BodySubgraphIndex=2)
    path = write(tmp_path, m.build([x], [w], subgraphs=[relu_body(), relu_body()]))
    clean_failure(cli("summary", path), "layer 'loop'", "WHILE (operator 1) runs another subgraph of the file",
                  "--skip-unknown")
    r = cli("summary", path, "--skip-unknown", "--json")
    assert r.code == 0 and [layer["name"] for layer in json.loads(r.out)["layers"]] == ["x", "t", "loop"]


def test_dynamic_input_takes_input_shape_and_equals_the_interpreter_resized(litert, cli, tmp_path):
    from tspcli.io.inputs import InputShape

    path = write(tmp_path, dynamic_model())
    x = sample_input(shape=(9, 7, 3))
    it = litert.Interpreter(model_path=str(path))
    detail = it.get_input_details()[0]
    assert list(detail["shape_signature"]) == [-1, -1, -1, 3]
    it.resize_tensor_input(detail["index"], [1, 9, 7, 3])
    it.allocate_tensors()
    it.set_tensor(detail["index"], x[None])
    it.invoke()
    model = tspcli.load(str(path), input_shape=InputShape((9, 7, 3)))
    np.testing.assert_allclose(model.predict(x), it.get_tensor(it.get_output_details()[0]["index"])[0], atol=1e-4)
    shapes = {layer.name: layer.output_shape for layer in model.layers}
    assert shapes == {"image": (9, 7, 3), "conv": (5, 4, 4), "dw": (3, 2, 8), "se.pool": (1, 1, 8),
                      "se.gate": (1, 1, 8), "se": (3, 2, 8), "gap": (1, 1, 8), "flat": (8,), "dense": (5,)}
    assert model.get_layer("se").layer_type == "SqueezeExcitation"
    clean_failure(cli("summary", path), "input 'serving_default_image:0' has dynamic dimensions H ('?'), W ('?')",
                  "--input-shape H,W,C")
    clean_failure(cli("summary", path, "--input-shape", "9,7,4"), "--input-shape gives C = 4, but input "
                  "'serving_default_image:0' has a fixed C of 3")
    r = cli("summary", path, "--input-shape", "16,16,3", "--json")
    assert r.code == 0 and json.loads(r.out)["layers"][2]["output_shape"] == [6, 6, 8]


def test_resizes_by_any_factor_follow_the_interpreters_coordinate_rules(litert, tmp_path):
    path = write(tmp_path, resize_model())
    x = sample_input(shape=(7, 5, 2))
    tensors, _ = interpreter_tensors(litert, path, x)
    model = tspcli.load(str(path))
    model.predict(x)
    compared = 0
    for name, t in layer_tensors(path).items():
        layer = model.get_layer(name)
        np.testing.assert_allclose(layer.neural_value, tensors[t][0], atol=1e-5, err_msg=name)
        compared += layer.layer_type == "UpSampling2d"
    assert compared == 9
    sizes = {layer.name: (layer.output_shape, layer.config.get("outputSize")) for layer in model.layers}
    assert sizes["bilinear.half"] == ((10, 8, 2), (10, 8)) and sizes["nearest.down"] == ((4, 3, 2), (4, 3))
    assert sizes["nearest.twice"] == ((14, 10, 2), None)  # whole factors: a repeat, drawn as TensorSpace's


def test_squeeze_excitation_block_is_drawn_as_the_onnx_reader_draws_it(tmp_path):
    from tspcli.render.options import RenderOptions
    from tspcli.render.scene_inputs import drawn_model
    from tspcli.scene.layout import SceneBuilder, initial_state

    model = tspcli.load(str(write(tmp_path, se_model())))
    shown = drawn_model(model, RenderOptions())
    scene = SceneBuilder(shown).build(initial_state(shown))
    drawn = {b.key.split("/")[0]: shown.get_layer(b.key.split("/")[0]).layer_type for b in scene.blocks}
    # the gate's branch beside the map, the multiply one SqueezeExcitation; activations and constant
    # arithmetic folded into the layers before them, as for an ONNX MobileNetV3
    assert drawn == {"image": "Input3d", "grouped": "Conv2d", "dw": "DepthwiseConv2d", "se.pool": "GlobalPooling2d",
                     "se.squeeze": "Conv2d", "se.excite": "Conv2d", "se": "SqueezeExcitation",
                     "centre": "GlobalPooling2d", "centre_2": "Subtract", "gap": "GlobalPooling2d", "dense": "Output1d"}


def test_a_gate_of_lower_rank_is_squeeze_excitation_too(litert, tmp_path):
    from tflite_builder import TFLiteBuilder, interpreter_outputs

    m = TFLiteBuilder()
    x = m.activation("x", (1, 4, 4, 2))
    gate = m.op("MEAN", [x, m.constant("axes", np.array([1, 2], np.int32))], [m.activation("model/g/Mean", (1, 2))],
                "ReducerOptions", KeepDims=False)
    y = m.op("MUL", [x, gate], [m.activation("model/se/mul", (1, 4, 4, 2))], "MulOptions", FusedActivationFunction=0)
    path = write(tmp_path, m.build([x], [y]))
    x = sample_input(shape=(4, 4, 2))
    model = tspcli.load(str(path))
    np.testing.assert_allclose(model.predict(x), interpreter_outputs(path, [x])[0], atol=1e-5)  # (4, 4, 2) x (2,)
    assert model.get_layer("se").layer_type == "SqueezeExcitation"
