"""ONNX graphs built with onnx.helper in the patterns exporters write, and onnxruntime as their oracle.

PyTorch is not installed (its wheels pull gigabytes of CUDA libraries), so the
fixtures mimic its two exporters instead: the legacy TorchScript exporter
(module-path node names ``/features/features.3/conv/conv.0/Conv``, Constant
nodes and Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains for
``x.view(x.size(0), -1)``) and the dynamo exporter (opset 18: ReduceMean with
its axes as an input, Split with its sizes as an input).  PaddlePaddle's and
tf2onnx's habits (Constant weights, Clip/Mul/Div hard-swish, NHWC inputs
transposed to NCHW) are covered by the shared PaddleOCR model and a fixture.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Graph:
    """A graph under construction: nodes, initializers, random but well-scaled weights."""

    def __init__(self, opset: int = 13, seed: int = 0, constants: bool = False):
        self.opset, self.nodes, self.inits = opset, [], []
        self.rng = np.random.default_rng(seed)
        self.constants = constants  # weights as Constant nodes (PaddlePaddle, the legacy exporter's shapes)
        self.count = 0

    def tensor(self, name: str, value) -> str:
        value = np.asarray(value)
        if self.constants:
            self.nodes.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name)))
        else:
            self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op: str, inputs, name: str | None = None, outputs: int = 1, **attrs):
        self.count += 1
        name = name if name is not None else f"{op}_{self.count}"
        outs = [f"{name}:{i}" if outputs > 1 else f"{name}:out" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=name, **attrs))
        return outs if outputs > 1 else outs[0]

    def const(self, value, dtype=np.int64) -> str:
        self.count += 1
        return self.tensor(f"c{self.count}", np.asarray(value, dtype))

    def conv(self, x, cin, cout, k=3, stride=1, pad=None, group=1, dilation=1, bias=True, name=None):
        pad = (k // 2) * dilation if pad is None else pad
        fan_in = cin // group * k * k
        w = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin // group, k, k)).astype(np.float32)
        ins = [x, self.tensor(f"{name or 'conv'}{self.count}.weight", w)]
        if bias:
            ins.append(self.tensor(f"{name or 'conv'}{self.count}.bias",
                                   self.rng.normal(0, 0.1, cout).astype(np.float32)))
        return self.op("Conv", ins, name, kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4,
                       group=group, dilations=[dilation, dilation])

    def bn(self, x, c, name=None):
        r = self.rng
        params = [r.uniform(0.5, 1.5, c), r.normal(0, 0.1, c), r.normal(0, 0.2, c), r.uniform(0.5, 2, c)]
        names = [self.tensor(f"bn{self.count}.{k}", v.astype(np.float32))
                 for k, v in zip(("weight", "bias", "mean", "var"), params)]
        return self.op("BatchNormalization", [x, *names], name, epsilon=1e-5)

    def clip(self, x, low, high, name=None):
        return self.op("Clip", [x, self.const(low, np.float32), self.const(high, np.float32)], name)

    def torch_flatten(self, x, name="/Reshape"):
        """x.view(x.size(0), -1) as the legacy exporter writes it."""
        shape = self.op("Shape", [x], "/Shape")
        batch = self.op("Gather", [shape, self.const(0)], "/Gather", axis=0)
        batch = self.op("Unsqueeze", [batch], "/Unsqueeze", axes=[0]) if self.opset < 13 else \
            self.op("Unsqueeze", [batch, self.const([0])], "/Unsqueeze")
        target = self.op("Concat", [batch, self.const([-1])], "/Concat", axis=0)
        return self.op("Reshape", [x, target], name)

    def gemm(self, x, k, n, name=None):
        w = self.rng.normal(0, np.sqrt(1.0 / k), (n, k)).astype(np.float32)
        b = self.rng.normal(0, 0.1, n).astype(np.float32)
        return self.op("Gemm", [x, self.tensor(f"fc{self.count}.weight", w),
                                self.tensor(f"fc{self.count}.bias", b)], name, transB=1)

    def model(self, inputs: dict, outputs: list[str], ir_version: int = 8, rank: int = 2) -> onnx.ModelProto:
        """The model; outputs are declared with ``rank`` dimensions of unknown size."""
        ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, dims) for n, dims in inputs.items()]
        outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, [f"{o}_{i}" for i in range(rank)])
                for o in outputs]
        graph = helper.make_graph(self.nodes, "fixture", ins, outs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  producer_name="tspcli-tests")
        model.ir_version = ir_version
        onnx.checker.check_model(model)
        return model


def ort_values(model: onnx.ModelProto, feeds: dict, names) -> dict:
    """onnxruntime's value of every named tensor (exposed as extra outputs), one thread, no fusion."""
    import onnxruntime as ort

    m = onnx.ModelProto()
    m.CopyFrom(model)
    present = {o.name for o in m.graph.output}
    for name in names:
        if name not in present:
            m.graph.output.append(onnx.ValueInfoProto(name=name))
            present.add(name)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(m.SerializeToString(), options, providers=["CPUExecutionProvider"])
    wanted = [o.name for o in m.graph.output]
    return dict(zip(wanted, session.run(wanted, feeds)))


def compare_layers(model, proto: onnx.ModelProto, x_hwc, tol: float = 1e-4) -> int:
    """Run tspcli's model on ``x_hwc`` and onnxruntime on the same input; every layer's value must
    equal onnxruntime's value of the tensor it stands for (within ``tol``, relative to its scale).
    Returns how many layers were compared."""
    model.predict(x_hwc)
    inp = model.inputs[0]
    name, perm = inp.onnx_output
    feed = np.asarray(x_hwc, np.float32)[None].transpose(np.argsort(perm))
    layers = [layer for layer in model.layers if layer.arity != 0]
    theirs = ort_values(proto, {name: feed}, [layer.onnx_output[0] for layer in layers])
    for layer in layers:
        out, perm = layer.onnx_output
        expected = theirs[out].transpose(perm)[0]
        ours = layer.neural_value
        scale = max(1.0, float(np.abs(expected).max()))
        err = float(np.abs(ours - expected).max()) if ours.shape == expected.shape else np.inf
        assert err <= tol * scale, f"{layer.name} ({layer.layer_type}, {out}): max error {err} " \
                                   f"(shapes {ours.shape} vs {expected.shape})"
    return len(layers)
