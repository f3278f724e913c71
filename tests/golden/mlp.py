def grad_mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    sub = pred - y
    # grad of: return np.mean((pred - y) ** 2)
    bsub = 0.25 * sub
    # grad of: pred = h @ W2 + b2
    bb2 = sum_columns(bsub)
    bh = bsub @ W2.T
    bW2 = h.T @ bsub
    # grad of: h = np.tanh(X @ W1 + b1)
    badd = bh
    badd *= 1 - h * h
    bb1 = sum_columns(badd)
    bW1 = X.T @ badd
    return (bW1, bb1, bW2, bb2)
