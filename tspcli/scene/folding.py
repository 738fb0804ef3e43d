"""Folding: which layers are drawn as part of the layer before them (``--fold auto``).

A model file draws every BatchNormalization, Activation and Dropout as a layer
of its own, where a reader sees one step: "a convolution, normalised, then
ReLU".  Such a layer is folded into the layer it follows when it changes
values one by one and keeps the shape, and nothing else reads the layer before
it: then the slab of that layer shows the values after the folded ones (what
the next layer receives), and its label says what was folded in
(``conv2d_1 +BN +ReLU``).

Never folded: a layer the user names (``--open``, a view's list, a timeline
step), a hidden one (views), one after an input, or one whose predecessor has
other readers (its slab could not show one value for all of them).

``fold_groups`` decides, from the layers alone (pure); ``FoldedModel`` is what
the layout and timelines draw: the same model with each group as one layer.
The model itself is left as it is: ``summary`` and ``predict`` see every layer.
"""
from __future__ import annotations

from collections import defaultdict

FOLD_MODES = ("auto", "none")
ELEMENTWISE = {"BatchNormalization", "Dropout", "Activation", "Activation1d", "Activation2d", "Activation3d",
               "Rescaling", "Normalization", "LayerNormalization", "LayerScale", "PReLU"}
_SHORT = {"BatchNormalization": "BN", "Dropout": "Dropout", "Rescaling": "Scale", "Normalization": "Norm",
          "LayerNormalization": "LN", "LayerScale": "LayerScale", "PReLU": "PReLU"}
_ACTIVATION_NAMES = {"relu": "ReLU", "relu6": "ReLU6", "leaky_relu": "LeakyReLU", "elu": "ELU", "selu": "SELU",
                     "gelu": "GELU", "silu": "SiLU", "swish": "SiLU", "softmax": "Softmax", "sigmoid": "Sigmoid",
                     "tanh": "Tanh", "hard_sigmoid": "HardSigmoid", "hard_silu": "HardSwish",
                     "hard_swish": "HardSwish", "softplus": "Softplus", "linear": "Linear"}


def short_name(layer) -> str:
    """What a folded layer is called in its group's label: BN, ReLU, ReLU6, Softmax, Dropout ..."""
    if layer.layer_type in _SHORT:
        return _SHORT[layer.layer_type]
    name = layer.config.get("activation") or "linear"
    if name == "relu" and layer.config.get("maxValue") == 6:     # Keras' ReLU(6) layer
        name = "relu6"
    return _ACTIVATION_NAMES.get(name, name)


def fold_groups(layers, keep=frozenset()) -> list[tuple[object, list]]:
    """(head, layers folded into it) for every layer that is not folded, in the given (topological) order.

    ``keep``: names that keep a slab of their own.
    """
    readers: dict[int, int] = defaultdict(int)
    for layer in layers:
        for source in layer.inbound:
            readers[id(source)] += 1
    head_of: dict[int, object] = {}
    groups: dict[int, list] = {}
    order = []
    for layer in layers:
        source = layer.inbound[0] if len(layer.inbound) == 1 else None
        if source is not None and _folds(layer, source, readers, keep, head_of):
            head = head_of[id(source)]
            groups[id(head)].append(layer)
            head_of[id(layer)] = head
            continue
        head_of[id(layer)] = layer
        groups[id(layer)] = []
        order.append(layer)
    return [(head, groups[id(head)]) for head in order]


def _folds(layer, source, readers, keep, head_of) -> bool:
    head = head_of.get(id(source))
    return (layer.layer_type in ELEMENTWISE and layer.name not in keep and layer.drawn and source.drawn
            and head is not None and head.arity != 0 and readers[id(source)] == 1
            and tuple(layer.output_shape) == tuple(source.output_shape))


class FoldedLayer:
    """A group drawn as one layer: the head's name, look and shape, the last folded layer's values.

    Everything else is the head's (attributes are looked up on it).
    """

    def __init__(self, head, folded: list):
        self.head = head
        self.folded = list(folded)
        self.inbound: list = []          # FoldedLayers, set by FoldedModel

    def __getattr__(self, name):
        return getattr(self.head, name)

    @property
    def neural_value(self):
        return (self.folded[-1] if self.folded else self.head).neural_value

    @property
    def caption(self) -> str:
        """The label's first line: the head's name and what was folded into it."""
        return " ".join([self.head.name, *("+" + short_name(layer) for layer in self.folded)])

    def __repr__(self) -> str:
        return f"<FoldedLayer {self.caption!r}>"


class FoldedModel:
    """A model whose layers are its fold groups (``FoldedLayer``); the rest is the model's own."""

    def __init__(self, model, keep=frozenset()):
        self.model = model
        groups = fold_groups(model.layers, keep)
        self.layers = [FoldedLayer(head, folded) for head, folded in groups]
        group_of = {}
        for drawn in self.layers:
            for layer in (drawn.head, *drawn.folded):
                group_of[id(layer)] = drawn
        for drawn in self.layers:
            drawn.inbound = list(dict.fromkeys(group_of[id(source)] for source in drawn.head.inbound))
        self.inputs = [group_of[id(layer)] for layer in model.inputs]
        self.outputs = list(dict.fromkeys(group_of[id(layer)] for layer in model.outputs))

    def __getattr__(self, name):
        return getattr(self.model, name)

    @property
    def folded_count(self) -> int:
        return sum(len(layer.folded) for layer in self.layers)


def fold(model, mode: str = "auto", keep=frozenset()):
    """What to draw: ``model`` folded (``auto``) or as it is (``none``)."""
    if mode == "none":
        return model
    return FoldedModel(model, frozenset(keep))
