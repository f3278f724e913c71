"""PyTorch's wording of the errors and warnings the runtime raises.

After import, each constant or builder here returns the text PyTorch uses for
the same mistake, so code and tests written against PyTorch read the same.
"""

from __future__ import annotations

from collections.abc import Sequence

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
NOT_REQUIRES_GRAD = "element 0 of tensors does not require grad and does not have a grad_fn"
IMPLICIT_NON_SCALAR = "grad can be implicitly created only for scalar outputs"
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation.")
NON_LEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
INT_REQUIRES_GRAD = "only Tensors of floating point dtype can require gradients"
INT_REQUIRES_GRAD_FACTORY = "Only Tensors of floating point and complex dtype can require gradients"
COMPLEX_REQUIRES_GRAD = ("srcxform: complex tensors cannot require gradients (srcxform's "
                         "autograd is real; complex values are differentiated only by the "
                         "compiler, through holomorphic functions)")
COMPLEX_RESULT = ("srcxform: this operation makes a complex value from tensors that require "
                  "grad; srcxform's eager autograd is real")
NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
RETAIN_NO_GRAD = "can't retain_grad on Tensor that has requires_grad=False"
AMBIGUOUS_BOOL = "Boolean value of Tensor with more than one value is ambiguous"
NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)
COPY_CONSTRUCT = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "torch.tensor(sourceTensor)."
)


def complex_to_real(target: str) -> str:
    """PyTorch's message for ``float()``/``int()`` (``math.sqrt`` ...) of a complex tensor
    with a nonzero imaginary part (``target``: ``double`` or ``int64_t``)."""
    return f"value cannot be converted to type {target} without overflow"


def size_text(shape: Sequence[int]) -> str:
    return f"torch.Size({list(shape)})"


def shape_mismatch(grad_shape: Sequence[int], out_shape: Sequence[int]) -> str:
    return (f"Mismatch in shape: grad_output[0] has a shape of {size_text(grad_shape)} and "
            f"output[0] has a shape of {size_text(out_shape)}.")


def item_of_many(n: int) -> str:
    return f"a Tensor with {n} elements cannot be converted to Scalar"


def dim_out_of_range(dim: int, ndim: int) -> str:
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    return f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"


def broadcast_mismatch(a: Sequence[int], b: Sequence[int]) -> str | None:
    """PyTorch's message for shapes that do not broadcast, or None when they do."""
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return (f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                    f"at non-singleton dimension {i}")
    return None


def matmul_mismatch(a: Sequence[int], b: Sequence[int]) -> str:
    if len(a) == 0 or len(b) == 0:
        return (f"both arguments to matmul need to be at least 1D, but they are {len(a)}D "
                f"and {len(b)}D")
    if len(a) == 1 and len(b) == 1:
        return (f"inconsistent tensor size, expected tensor [{a[0]}] and src [{b[0]}] to have "
                f"the same number of elements, but got {a[0]} and {b[0]} elements respectively")
    if len(a) == 2 and len(b) == 1:
        return f"size mismatch, got input ({a[0]}), mat ({a[0]}x{a[1]}), vec ({b[0]})"
    ra = a if len(a) > 1 else (1, a[0])
    rb = b if len(b) > 1 else (b[0], 1)
    return (f"mat1 and mat2 shapes cannot be multiplied "
            f"({'x'.join(map(str, ra[-2:]))} and {'x'.join(map(str, rb[-2:]))})")


def invalid_view(shape: Sequence[int], size: int) -> str:
    return f"shape '{list(shape)}' is invalid for input of size {size}"
