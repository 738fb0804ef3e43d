"""Output-size arithmetic shared by convolution and pooling (Keras' rules)."""
from __future__ import annotations

import math


def conv_length(n: int, kernel: int, stride: int, padding: str, dilation: int = 1) -> int:
    """Output length of a convolution or pooling window along one axis.

    valid: floor((n - d*(k-1) - 1) / s) + 1; same and causal: ceil(n / s).
    """
    if padding == "valid":
        return (n - dilation * (kernel - 1) - 1) // stride + 1
    return math.ceil(n / stride)


def same_padding(n: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) zero padding of Keras' 'same'; the extra cell goes after."""
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def transpose_length(n: int, kernel: int, stride: int, padding: str, dilation: int = 1,
                     output_padding: int | None = None) -> int:
    """Output length of a transposed convolution (Keras' deconv_output_length)."""
    k = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        return n * stride + max(k - stride, 0) if padding == "valid" else n * stride
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * stride + k - 2 * pad + output_padding
