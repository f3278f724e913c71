def forward__scan_states(W, xs):
    h_stack = []
    h = np.zeros(3)
    seq = (4, 3)
    out = np.zeros(seq)
    for t in range(4):
        matmul = W @ h
        xs_item = xs[t]
        add = matmul + xs_item
        h_stack.append(h)
        h = np.tanh(add)
        out[t] = h
    value = out
    return (value, (W, xs, h_stack, h))


def backward__scan_states(residuals, bout):
    W, xs, h_stack, h = residuals
    h_stack = h_stack.copy()
    # grad of: h = np.tanh(W @ h + xs[t])
    bW = np.zeros_like(W)
    bh = np.zeros_like(h)
    bxs = np.zeros_like(xs)
    # grad of: for t in range(xs.shape[0]):
    badd_rows = []
    h_rows = []
    bout = bout.copy()
    for t in reversed(range(4)):
        # grad of: out[t] = h
        bh = bh + unbroadcast(bout[t], h)
        bout[t] = 0.0
        # grad of: h = np.tanh(W @ h + xs[t])
        badd = bh * (1 - h * h)
        h = h_stack.pop()
        bxs[t] += badd
        badd_rows.append(badd)
        h_rows.append(h)
        bh = badd @ W
    if badd_rows:
        # grad of: h = np.tanh(W @ h + xs[t])
        bW += np.array(badd_rows).T @ np.array(h_rows)
    return (bW, bxs)
