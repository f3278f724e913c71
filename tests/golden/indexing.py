def grad_indexing(x):
    # the adjoints' dtype: None (each its value's) unless a value is complex
    adjoint_dtype = complex_adjoints(x)
    a = x[1:, ::2]
    b = x[0]
    c = x[:, -1]
    x_slice = x[..., None]
    b_slice = b[:5]
    # grad of: return np.sum(a ** 2) + np.sum(b[:5] * c) + d * 3.0
    bb = np.zeros_like(b, adjoint_dtype)
    bb[:5] = c
    ba = 2.0 * a
    # grad of: d = x[..., None][1, 2, 0]
    bx_slice = np.zeros_like(x_slice, adjoint_dtype)
    bx_slice[1, 2, 0] = 3.0
    bx = np.zeros((5, 6), adjoint_dtype or bx_slice.dtype)
    bx[..., None] = bx_slice
    # grad of: c = x[:, -1]
    bx[:, -1] += b_slice
    # grad of: b = x[0]
    bx[0] += bb
    # grad of: a = x[1:, ::2]
    bx[1:, ::2] += ba
    return bx
