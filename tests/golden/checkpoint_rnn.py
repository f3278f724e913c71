def grad_rnn(W, U, h, xs):
    h_stack = []
    # the adjoints' dtype: None (each its value's) unless a value is complex
    adjoint_dtype = complex_adjoints(W, U, h, xs)
    checkpoints = []
    # checkpointed: h kept every 20 steps (the square root of the trip count);
    # this loop tapes nothing: the backward sweep runs each stretch again from its checkpoint
    for start in range(0, 400, 20):
        checkpoints.append(h)
        for t in range(start, min(start + 20, 400)):
            xs_item = xs[t]
            h = np.tanh(W @ h + U @ xs_item)
    # grad of: return np.sum(h * h)
    bh = 2.0 * h
    # grad of: h = np.tanh(W @ h + U @ xs[t])
    bU = np.zeros_like(U, adjoint_dtype)
    bW = np.zeros_like(W, adjoint_dtype)
    # grad of: for t in range(xs.shape[0]):
    badd_rows = []
    xs_item_rows = []
    h_rows = []
    for start in reversed(range(0, 400, 20)):
        h = checkpoints.pop()
        # this stretch again from its checkpoint, taped
        for t in range(start, min(start + 20, 400)):
            xs_item = xs[t]
            h_stack.append(h)
            h = np.tanh(W @ h + U @ xs_item)
        for t in reversed(range(start, min(start + 20, 400))):
            # grad of: h = np.tanh(W @ h + U @ xs[t])
            xs_item = xs[t]
            badd = bh * (1 - h * h)
            h = h_stack.pop()
            badd_rows.append(badd)
            xs_item_rows.append(xs_item)
            h_rows.append(h)
            bh = badd @ W
            if len(badd_rows) == 64:
                # grad of: h = np.tanh(W @ h + U @ xs[t])
                badd_all = np.array(badd_rows)
                bU += badd_all.T @ np.array(xs_item_rows)
                bW += badd_all.T @ np.array(h_rows)
                badd_rows.clear()
                xs_item_rows.clear()
                h_rows.clear()
    if badd_rows:
        # grad of: h = np.tanh(W @ h + U @ xs[t])
        badd_all = np.array(badd_rows)
        bU += badd_all.T @ np.array(xs_item_rows)
        bW += badd_all.T @ np.array(h_rows)
    return (bW, bU)
