def grad_reductions(x):
    # the adjoints' dtype: None (each its value's) unless a value is complex
    adjoint_dtype = complex_adjoints(x)
    a = sum_columns(x)
    b = np.mean(x, axis=1, keepdims=True)
    add = x[0] + 2.0
    std = np.std(x, axis=0)
    # grad of: return np.sum(a ** 2) + np.sum(b * x) + c + d + np.var(x, ddof=1) + np.std(x, axis=0).sum()
    g_1 = np.broadcast_to(1.0, (1, 4))
    out = np.expand_dims(std, 0)
    centered = real_valued(x, 'std') - np.mean(x, axis=0, keepdims=True)
    bx = g_1 * centered / (3.0 * np.where(out == 0, 1, out))
    if adjoint_dtype is not None:
        bx = widened(bx, adjoint_dtype)
    centered_1 = real_valued(x, 'var') - np.mean(x, axis=None, keepdims=True)
    bx += 2.0 * centered_1 / 11.0
    bmul = np.broadcast_to(1.0, (3, 4))
    bb = sum_rows(x, keepdims=True)
    bx += bmul * b
    ba = 2.0 * a
    # grad of: d = np.prod(x[0] + 2.0)
    badd = prod_of_others(add, None)
    bx[0] += badd
    # grad of: c = x.sum(axis=(0, 1))
    g_6 = np.expand_dims(1.0, (0, 1))
    bx += g_6
    # grad of: b = np.mean(x, axis=1, keepdims=True)
    bx += bb * 0.25
    # grad of: a = np.sum(x, axis=0)
    g_8 = ba[None]
    bx += g_8
    return bx
