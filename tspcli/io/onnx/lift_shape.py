"""Lifting operators that move values around: Reshape, Flatten, Transpose, Pad, Slice, Resize.

* A Transpose only relabels axes (the feature keeps its layer; what changes is
  how its ONNX axes map to the layer's), so tf2onnx's NHWC -> NCHW transpose
  after the input costs nothing; a layer that needs NCHW refuses any other order.
* ShuffleNet's channel shuffle, Reshape (1, g, C/g, H, W) -> Transpose
  (0, 2, 1, 3, 4) -> Reshape (1, C, H, W), is one ChannelShuffle layer: the
  5-D values in between are kept pending, never computed.
* Flattening NCHW is channel by channel: a Flatten with dataFormat channels_first
  (values then equal ONNX's, in ONNX's order).
* A zero Pad whose only reader is a Conv becomes that convolution's padding.
"""
from __future__ import annotations

import math

import numpy as np

from tspcli.io.onnx.fold import FOLD, reshape_target
from tspcli.io.onnx.graph import Feature, Lifter, Node, Unsupported
from tspcli.ops.bilinear import MODES as BILINEAR_MODES
from tspcli.ops.resize import NEAREST_MODES, nearest_indices


def lift_pass(lifter: Lifter, node: Node) -> None:
    """Identity and Dropout (inference) pass their input on."""
    lifter.alias(node, lifter.value(node, 0))


def lift_reshape(lifter: Lifter, node: Node) -> None:
    x = lifter.value(node, 0)
    if not isinstance(x, Feature):
        raise Unsupported("input 0 is a constant where tspcli expects a feature map")
    if node.op == "Reshape":
        target = reshape_target(x.shape, lifter.const(node, 1, "shape"), node.attrs.get("allowzero", 0))
    elif node.op == "Flatten":
        axis = int(node.attrs.get("axis", 1)) % (len(x.shape) + 1)
        target = (math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))
    else:  # Squeeze / Unsqueeze: the shape numpy gives a stand-in of x's shape
        rest = [lifter.const(node, i) for i in range(1, len(node.inputs))]
        target = FOLD[node.op](node.attrs, np.broadcast_to(np.float32(0), x.shape), *rest).shape
    if math.prod(target) != math.prod(x.shape) or not target or target[0] != 1:
        raise Unsupported(f"reshape of {list(x.shape)} to {list(target)} (tspcli keeps a batch of 1 first)")
    reshape_to(lifter, node, x, tuple(int(d) for d in target))


def reshape_to(lifter: Lifter, node: Node, x: Feature, target: tuple) -> None:
    from tspcli.layers import ChannelShuffle, Flatten, Reshape

    if x.perm is None:  # the 5-D middle of a channel shuffle
        kind, source, groups, first = x.pending
        if target != source.shape:
            raise Unsupported(f"a 5-D reshape of {list(source.shape)} that is not a channel shuffle")
        if kind == "split":
            return lifter.alias(node, source)
        lifter.add(ChannelShuffle, {"groups": groups}, [source], first, source.shape, last=node)
        return
    if target == x.shape:
        return lifter.alias(node, x)
    if len(x.shape) > 2 and x.perm == tuple(range(len(x.shape))) and 2 <= len(target) <= 4:
        # the layer holds the ONNX values in their own order (an NHWC tensor): a plain reshape
        cls, config = (Flatten, {}) if len(target) == 2 else (Reshape, {"targetShape": list(target[1:])})
        lifter.add(cls, config, [x], node, target, perm=tuple(range(len(target))))
        return
    if not x.channels_last:
        raise Unsupported(f"reshape of a transposed tensor {list(x.shape)}")
    if len(x.shape) == 4 and len(target) == 5 and target[1] * target[2] == x.shape[1] and \
            target[3:] == x.shape[2:]:
        lifter.alias(node, Feature(x.layer, target, None, ("split", x, target[1], node)))
        return
    if len(x.shape) > 2 and len(target) == 2:
        spatial = math.prod(x.shape[2:])
        config = {"dataFormat": "channels_first"} if spatial > 1 else {}
        lifter.add(Flatten, config, [x], node, target)
        return
    if len(x.shape) == 2 and len(target) == 4:  # a vector to an NCHW map (a generator's x.view(C, H, W))
        config = {"targetShape": [target[2], target[3], target[1]]}
        if target[2:] != (1, 1):
            config["dataFormat"] = "channels_first"
        lifter.add(Reshape, config, [x], node, target)
        return
    raise Unsupported(f"reshape of {list(x.shape)} to {list(target)}: tspcli lifts flattening, vectors to "
                      "NCHW maps and channel shuffles")


def lift_transpose(lifter: Lifter, node: Node) -> None:
    x = lifter.value(node, 0)
    if not isinstance(x, Feature):
        raise Unsupported("input 0 is a constant where tspcli expects a feature map")
    perm = tuple(int(p) for p in node.attrs.get("perm", range(len(x.shape) - 1, -1, -1)))
    shape = tuple(x.shape[p] for p in perm)
    if x.perm is None:
        kind, source, groups, first = x.pending
        if kind != "split" or perm != (0, 2, 1, 3, 4):
            raise Unsupported(f"Transpose {list(perm)} of a 5-D tensor that is not a channel shuffle")
        lifter.alias(node, Feature(x.layer, shape, None, ("shuffle", source, groups, first)))
        return
    inverse = tuple(int(i) for i in np.argsort(perm))
    new_perm = tuple(inverse[p] for p in x.perm)
    if new_perm[0] != 0:
        raise Unsupported(f"Transpose {list(perm)} moves the batch axis")
    lifter.alias(node, Feature(x.layer, shape, new_perm))


def lift_pad(lifter: Lifter, node: Node) -> None:
    from tspcli.io.onnx.lift_conv import lift_conv
    from tspcli.layers import Padding2d

    x = lifter.feature(node, 0)
    mode = node.attrs.get("mode", "constant")
    pads = node.attrs.get("pads") if len(node.inputs) < 2 else lifter.const(node, 1, "pads")
    value = lifter.scalar(node, 2) if len(node.inputs) > 2 and node.inputs[2] else 0.0
    pads = [int(p) for p in np.asarray(pads).reshape(-1)]
    rank = len(x.shape)
    if len(node.inputs) > 3 and node.inputs[3]:  # opset 18: pads for the listed axes only
        full = [0] * (2 * rank)
        axes = [int(a) % rank for a in lifter.const(node, 3, "axes").reshape(-1)]
        for i, a in enumerate(axes):
            full[a], full[a + rank] = pads[i], pads[i + len(axes)]
        pads = full
    if mode != "constant" or value != 0 or rank != 4 or len(pads) != 8 or pads[:2] + pads[4:6] != [0] * 4 \
            or min(pads) < 0:
        raise Unsupported(f"Pad {pads} (mode {mode}, value {value}): tspcli lifts zero padding of height "
                          "and width")
    pairs = ((pads[2], pads[6]), (pads[3], pads[7]))
    conv = lifter.sole_consumer(node.outputs[0], "Conv")
    if conv is not None and conv.inputs[0] == node.outputs[0]:
        lift_conv(lifter, conv, extra=pairs, first=node)
        return
    shape = (*x.shape[:2], x.shape[2] + sum(pairs[0]), x.shape[3] + sum(pairs[1]))
    lifter.add(Padding2d, {"padding": [list(p) for p in pairs]}, [x], node, shape)


def lift_slice(lifter: Lifter, node: Node) -> None:
    """Slice of height and width -> Cropping2d; of channels -> ChannelSlice (one of the two at a time)."""
    from tspcli.layers import ChannelSlice, Cropping2d

    x = lifter.feature(node, 0)
    consts = [lifter.const(node, i) for i in range(1, len(node.inputs))]
    rank = len(x.shape)
    kept = []
    for axis in range(rank):
        # which positions of this axis the Slice keeps: slice a (free, broadcast) tensor of its indices
        index = np.arange(x.shape[axis]).reshape([-1 if a == axis else 1 for a in range(rank)])
        picked = FOLD["Slice"](node.attrs, np.broadcast_to(index, x.shape), *consts)
        if picked.size == 0:
            raise Unsupported("a Slice that keeps nothing")
        run = picked[tuple(slice(None) if a == axis else 0 for a in range(rank))]
        if not np.array_equal(run, np.arange(run[0], run[0] + len(run))):
            raise Unsupported("a Slice with steps or reversal")
        kept.append((int(run[0]), int(run[-1]) + 1))
    cut = [axis for axis in range(rank) if kept[axis] != (0, x.shape[axis])]
    shape = tuple(b - a for a, b in kept)
    if not cut:
        lifter.alias(node, x)
    elif cut == [1]:
        lifter.add(ChannelSlice, {"start": kept[1][0], "stop": kept[1][1]}, [x], node, shape)
    elif rank == 4 and set(cut) <= {2, 3}:
        crops = [[a, n - b] for (a, b), n in zip(kept[2:], x.shape[2:])]
        lifter.add(Cropping2d, {"cropping": crops}, [x], node, shape)
    else:
        raise Unsupported("a Slice of the batch, or of channels and positions at once")


def _nearest_index(n_in: int, n_out: int, coord: str, rounding: str):
    """ONNX Resize's nearest source index of every output position along one axis."""
    o = np.arange(n_out, dtype=np.float64)
    s = n_out / n_in
    x = {"half_pixel": (o + 0.5) / s - 0.5, "pytorch_half_pixel": (o + 0.5) / s - 0.5,
         "asymmetric": o / s, "tf_half_pixel_for_nn": (o + 0.5) / s,
         "align_corners": o * (n_in - 1) / max(n_out - 1, 1)}.get(coord)
    if x is None:
        return None
    i = {"round_prefer_floor": np.ceil(x - 0.5), "round_prefer_ceil": np.floor(x + 0.5),
         "floor": np.floor(x), "ceil": np.ceil(x)}.get(rounding)
    return None if i is None else np.clip(i, 0, n_in - 1).astype(np.int64)


def lift_resize(lifter: Lifter, node: Node) -> None:
    """Resize of height and width -> UpSampling2d: by whole factors (nearest repeats pixels, or bilinear
    with its coordinate mode), else to an ``outputSize`` (bilinear, or nearest where the indices ONNX's
    rule picks are those of one of TensorFlow's modes)."""
    from tspcli.layers import UpSampling2d

    x = lifter.feature(node, 0)
    if len(x.shape) != 4:
        raise Unsupported("tspcli lifts Resize of NCHW feature maps")
    a = node.attrs
    scales = lifter.const(node, 2, "scales") if len(node.inputs) > 2 and node.inputs[2] else None
    sizes = lifter.const(node, 3, "sizes") if len(node.inputs) > 3 and node.inputs[3] else None
    coord = a.get("coordinate_transformation_mode", "half_pixel")
    rounding = a.get("nearest_mode", "round_prefer_floor")
    if a.get("axes") is not None or a.get("antialias", 0) or \
            a.get("keep_aspect_ratio_policy", "stretch") != "stretch":
        raise Unsupported("Resize with axes, antialias or an aspect-ratio policy")
    if sizes is not None and np.asarray(sizes).size == 4:
        out = tuple(int(v) for v in np.asarray(sizes).reshape(-1))
    elif scales is not None and np.asarray(scales).size == 4:
        given = [float(s) for s in np.asarray(scales).reshape(-1)]
        out = tuple(int(math.floor(n * s)) for n, s in zip(x.shape, given))
        if not all(math.isclose(o, n * s, rel_tol=1e-6) for o, n, s in zip(out[2:], x.shape[2:], given[2:])):
            # ONNX maps coordinates by the scale given, not by out / in: no layer computes that
            raise Unsupported(f"Resize of {list(x.shape[2:])} by scales {given[2:]}, which give no whole sizes")
    else:
        raise Unsupported("Resize without 4 scales or sizes")
    if out[:2] != tuple(x.shape[:2]) or 0 in out[2:]:
        raise Unsupported(f"Resize of {list(x.shape)} to {list(out)}: tspcli lifts resizes of height and width")
    factors = [o // n if o % n == 0 else 0 for o, n in zip(out[2:], x.shape[2:])]
    whole = 0 not in factors
    mode = a.get("mode", "nearest")
    config = {"size": factors} if whole else {"outputSize": list(out[2:])}
    if mode == "nearest":
        picked = [_nearest_index(n, o, coord, rounding) for n, o in zip(x.shape[2:], out[2:])]
        if any(index is None for index in picked):
            raise Unsupported(f"nearest Resize with {coord} / {rounding}")
        if not (whole and all(np.array_equal(i, np.arange(o) // f) for i, o, f in zip(picked, out[2:], factors))):
            same = [m for m in NEAREST_MODES if all(np.array_equal(i, nearest_indices(n, o, m))
                                                    for i, n, o in zip(picked, x.shape[2:], out[2:]))]
            if not same:
                raise Unsupported(f"nearest Resize with {coord} / {rounding} of {list(x.shape[2:])} to "
                                  f"{list(out[2:])}: no layer picks the same pixels")
            config = {"outputSize": list(out[2:]), "coordinateMode": same[0]}
    elif mode in ("linear", "bilinear") and coord in BILINEAR_MODES:
        config.update(interpolation="bilinear", coordinateMode=coord)
    else:
        raise Unsupported(f"Resize mode {mode} with coordinates {coord}")
    lifter.add(UpSampling2d, config, [x], node, out)


def lift_split(lifter: Lifter, node: Node) -> None:
    """Split of channels -> one ChannelSlice per part; of height or width -> one Cropping2d per part."""
    from tspcli.layers import ChannelSlice, Cropping2d

    x = lifter.feature(node, 0)
    axis = int(node.attrs.get("axis", 0)) % len(x.shape)
    n = x.shape[axis]
    if axis == 0 or (axis > 1 and len(x.shape) != 4):
        raise Unsupported("a Split of the batch: tspcli lifts splits of channels, height and width")
    if len(node.inputs) > 1 and node.inputs[1]:
        sizes = [int(v) for v in lifter.const(node, 1, "split").reshape(-1)]
    elif "split" in node.attrs:
        sizes = [int(v) for v in node.attrs["split"]]
    else:  # equal parts, the last one smaller (opset 18's num_outputs)
        parts = len(node.outputs)
        step = -(-n // parts)
        sizes = [min(step, n - i * step) for i in range(parts)]
    if sum(sizes) != n or len(sizes) != len(node.outputs) or min(sizes) <= 0:
        raise Unsupported(f"Split sizes {sizes} of an axis of {n}")
    start = 0
    for size, out in zip(sizes, node.outputs):
        shape = list(x.shape)
        shape[axis] = size
        if axis == 1:
            lifter.add(ChannelSlice, {"start": start, "stop": start + size}, [x], node, tuple(shape), output=out)
        else:
            crop = [[0, 0], [0, 0]]
            crop[axis - 2] = [start, n - start - size]
            lifter.add(Cropping2d, {"cropping": crop}, [x], node, tuple(shape), output=out)
        start += size


HANDLERS = {
    "Split": lift_split,
    "Identity": lift_pass, "Dropout": lift_pass,
    **{op: lift_reshape for op in ("Reshape", "Flatten", "Squeeze", "Unsqueeze")},
    "Transpose": lift_transpose, "Pad": lift_pad, "Slice": lift_slice,
    "Resize": lift_resize,
}
