"""Arithmetic written on tensors in a Keras graph (keras.ops calls in Keras 3, TFOpLambda layers in
tf.keras 2) is computed as the layer it amounts to; anything else is refused by name."""
import numpy as np
import pytest

from model_files import write_legacy_h5
from tspcli.io.keras_ops import lift_operation


def tensor(name):
    return {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "keras_history": [name, 0, 0]}}


def op(cls, *args, module="keras.src.ops.numpy"):
    entry = {"class_name": cls, "name": "o", **({"module": module} if module else {})}
    return entry, {"args": list(args), "kwargs": {}}


@pytest.mark.parametrize("cls, args, want", [
    ("Add", [tensor("x"), 3.0], ("Rescaling", 1.0, 3.0)),
    ("Add", [3, tensor("x")], ("Rescaling", 1.0, 3.0)),
    ("Subtract", [tensor("x"), 2.0], ("Rescaling", 1.0, -2.0)),
    ("Subtract", [2.0, tensor("x")], ("Rescaling", -1.0, 2.0)),
    ("Multiply", [tensor("x"), 0.25], ("Rescaling", 0.25, 0.0)),
    ("TrueDivide", [tensor("x"), 4.0], ("Rescaling", 0.25, 0.0)),
])
def test_a_tensor_and_a_number_is_a_rescaling(cls, args, want):
    lifted = lift_operation(*op(cls, *args))
    assert (lifted[0], lifted[1]["scale"], lifted[1]["offset"]) == want


@pytest.mark.parametrize("entry_node", [
    op("TrueDivide", 4.0, tensor("x")),             # c / x is no rescaling
    op("TrueDivide", tensor("x"), 0.0),
    op("Power", tensor("x"), 2.0),
    op("Add", tensor("x"), True),                   # a bool is no number
    op("Add", tensor("x"), [1.0, 2.0]),
    op("Add", tensor("x"), 1.0, module="keras.src.ops.nn"),
    op("Reshape", tensor("x"), tensor("y")),
])
def test_other_operations_stay_unknown(entry_node):
    assert lift_operation(*entry_node) is None


def test_keras3_h5_operations_without_module_are_told_from_layers_by_their_arguments():
    assert lift_operation(*op("Add", tensor("x"), 3.0, module=None))[1]["offset"] == 3.0
    assert lift_operation(*op("Add", [tensor("x"), tensor("y")], module=None)) is None  # the Add layer


def test_two_tensors_are_a_merge():
    assert lift_operation(*op("Multiply", tensor("x"), tensor("y"))) == ("Multiply", {"name": "o"})


def tf_op(name, function, source, y):
    return {"class_name": "TFOpLambda", "config": {"name": name, "trainable": True, "dtype": "float32",
                                                   "function": function},
            "name": name, "inbound_nodes": [[[source, 0, 0, {"y": y, "name": None}]]]}


def test_tf_keras_hard_sigmoid_is_computed(cli, tmp_path):
    """tf.keras 2's MobileNetV3 writes hard sigmoid as ReLU(6)(x + 3) * (1 / 6), as TFOpLambda layers."""
    layers = [
        {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
         "config": {"name": "x", "batch_input_shape": [None, 5], "dtype": "float32"}},
        tf_op("tf.__operators__.add", "__operators__.add", "x", 3.0),
        {"class_name": "ReLU", "name": "relu6", "inbound_nodes": [[["tf.__operators__.add", 0, 0, {}]]],
         "config": {"name": "relu6", "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}},
        tf_op("tf.math.multiply", "math.multiply", "relu6", 1 / 6),
        tf_op("tf.math.multiply_1", "math.multiply", "x", ["tf.math.multiply", 0, 0]),   # hard swish
    ]
    config = {"class_name": "Functional", "config": {"name": "hs", "layers": layers,
                                                     "input_layers": [["x", 0, 0]],
                                                     "output_layers": [["tf.math.multiply_1", 0, 0]]}}
    path = write_legacy_h5(tmp_path / "hs.h5", config, weights={}, keras_version="2.15.0")
    import tspcli

    model = tspcli.load(str(path))
    x = np.array([-4, -1, 0, 1.5, 4], np.float32)
    model.predict(x)
    sig = np.clip(x + 3, 0, 6) / 6
    assert np.allclose(model.get_layer("tf.math.multiply").neural_value, sig, atol=1e-7)
    assert np.allclose(model.get_layer("tf.math.multiply_1").neural_value, x * sig, atol=1e-7)
    assert [l.layer_type for l in model.layers][1:] == ["Rescaling", "Activation1d", "Rescaling", "Multiply"]


def test_an_operation_tspcli_does_not_compute_is_named(cli, tmp_path):
    layers = [
        {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
         "config": {"name": "x", "batch_input_shape": [None, 5], "dtype": "float32"}},
        tf_op("tf.math.pow", "math.pow", "x", 2.0),
    ]
    config = {"class_name": "Functional", "config": {"name": "p", "layers": layers, "input_layers": [["x", 0, 0]],
                                                     "output_layers": [["tf.math.pow", 0, 0]]}}
    path = write_legacy_h5(tmp_path / "p.h5", config, weights={})
    r = cli("summary", path)
    assert r.code == 2 and r.err.count("\n") == 1
    assert "layer 'tf.math.pow'" in r.err and "TFOpLambda" in r.err and "--skip-unknown" in r.err
