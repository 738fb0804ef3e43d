"""Grouped 2-D convolution (ResNeXt, ShuffleNet): channels split into groups, each convolved alone."""
from __future__ import annotations

import numpy as np

from tspcli.errors import ShapeError
from tspcli.ops.conv import conv2d


def grouped_conv2d(x, kernel, groups: int, strides=1, padding="valid", dilation_rate=1) -> np.ndarray:
    """Keras' Conv2D(groups=g) / ONNX Conv(group=g), channels last, no bias.

    x: (H, W, Cin) or (N, H, W, Cin).  kernel: (kh, kw, Cin/g, Cout), Keras'
    layout: output channels [j*Cout/g, (j+1)*Cout/g) see only input channels
    [j*Cin/g, (j+1)*Cin/g).  Each group is one conv2d (one BLAS product);
    the results are written side by side.
    """
    x = np.asarray(x, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    cin, cout = x.shape[-1], kernel.shape[-1]
    if groups < 1 or cin % groups or cout % groups or kernel.shape[-2] * groups != cin:
        raise ShapeError(f"grouped_conv2d: {groups} groups do not divide input channels {cin} and output "
                         f"channels {cout} with a kernel of shape {kernel.shape} (kh, kw, Cin/g, Cout)")
    step_in, step_out = cin // groups, cout // groups
    parts = [conv2d(x[..., j * step_in:(j + 1) * step_in], kernel[..., j * step_out:(j + 1) * step_out],
                    strides, padding, dilation_rate) for j in range(groups)]
    return np.concatenate(parts, axis=-1)
