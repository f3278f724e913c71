def forward__scan_states(W, xs):
    # the adjoints' dtype: None (each its value's) unless a value is complex
    adjoint_dtype = complex_adjoints(W, xs)
    h = np.zeros(3)
    seq = (4, 3)
    out = np.zeros(seq)
    # the h of every step of the loop below, one row each
    h_tape = np.empty((4, 3))
    for t in range(4):
        if type(h) is ndarray and h.dtype is h_tape.dtype and (h.shape == h_tape.shape[1:]):
            h_tape[t] = h
        else:
            h_tape = retape(h_tape, t, h)
        h = np.tanh(W @ h + xs[t])
        out[t] = h
    value = out
    return (value, (W, xs, adjoint_dtype, h, h_tape))


def backward__scan_states(residuals, bout):
    W, xs, adjoint_dtype, h, h_tape = residuals
    # grad of: h = np.tanh(W @ h + xs[t])
    adjoint_dtype_1 = complex_adjoints(adjoint_dtype, bout)
    bW = np.zeros_like(W, adjoint_dtype_1)
    bh = np.zeros_like(h, adjoint_dtype_1)
    bxs = np.zeros_like(xs, adjoint_dtype_1)
    # grad of: for t in range(xs.shape[0]):
    badd_rows = []
    bout = bout.copy()
    for t in reversed(range(4)):
        # grad of: out[t] = h
        bh = bh + unbroadcast(bout[t], h)
        bout[t] = 0.0
        # grad of: h = np.tanh(W @ h + xs[t])
        badd = bh * (1 - h * h)
        h = h_tape[t]
        bxs[t] += badd
        badd_rows.append(badd)
        bh = badd @ W
    if badd_rows:
        # grad of: h = np.tanh(W @ h + xs[t])
        bW += np.array(badd_rows[::-1]).T @ np.asarray(h_tape[:len(badd_rows)])
    return (bW, bxs)
