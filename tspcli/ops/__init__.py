"""Numpy kernels of the forward pass, usable on their own.

Channels last, float32 in and out, results equal to Keras' to float32
rounding.  Each kernel takes one example (spatial axes, then channels) or a
batch (a leading N axis) and returns the same kind.  Bad arguments raise
``tspcli.errors.ShapeError`` (shapes that do not fit) or ``OptionError``
(strides, padding, modes) quoting the offending value.
"""
from tspcli.ops._geometry import conv_output_size, conv_transpose_output_size
from tspcli.ops.conv import conv1d, conv2d, conv2d_transpose, separable_conv2d
from tspcli.ops.depthwise import DepthwisePlan, depthwise_conv2d
from tspcli.ops.pooling import pool1d, pool2d
from tspcli.ops.resize import resize_nearest, upsample1d, upsample2d

__all__ = ["DepthwisePlan", "conv1d", "conv2d", "conv2d_transpose", "conv_output_size",
           "conv_transpose_output_size", "depthwise_conv2d", "pool1d", "pool2d",
           "separable_conv2d", "resize_nearest", "upsample1d", "upsample2d"]
