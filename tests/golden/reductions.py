def grad_reductions(x):
    a = np.sum(x, axis=0)
    b = np.mean(x, axis=1, keepdims=True)
    x0 = x[0]
    add = x0 + 2.0
    d = np.prod(add)
    mul = b * x
    std = np.std(x, axis=0)
    # grad of: return np.sum(a ** 2) + np.sum(b * x) + c + d + np.var(x, ddof=1) + np.std(x, axis=0).sum()
    bstd = np.broadcast_to(1.0, np.shape(std))
    g_1 = np.expand_dims(bstd, 0)
    out = np.expand_dims(std, 0)
    centered = x - np.mean(x, axis=0, keepdims=True)
    bx = g_1 * centered / (np.size(x) / np.size(out) * out)
    centered_1 = x - np.mean(x, axis=None, keepdims=True)
    bx = bx + 2.0 * centered_1 / (np.size(x) - 1)
    bmul = np.broadcast_to(1.0, np.shape(mul))
    bb = unbroadcast(bmul * x, b)
    bx = bx + unbroadcast(bmul * b, x)
    ba = 2.0 * a
    # grad of: d = np.prod(x[0] + 2.0)
    badd = d / add
    bx_part = np.zeros_like(x)
    bx_part[0] = badd
    bx = bx + bx_part
    # grad of: c = x.sum(axis=(0, 1))
    g_6 = np.expand_dims(1.0, (0, 1))
    bx = bx + np.broadcast_to(g_6, np.shape(x))
    # grad of: b = np.mean(x, axis=1, keepdims=True)
    bx = bx + np.broadcast_to(bb / (np.size(x) / np.size(b)), np.shape(x))
    # grad of: a = np.sum(x, axis=0)
    g_8 = np.expand_dims(ba, 0)
    bx = bx + np.broadcast_to(g_8, np.shape(x))
    return bx
