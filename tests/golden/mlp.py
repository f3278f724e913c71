def grad_mlp(W1, b1, W2, b2, X, y):
    matmul = X @ W1
    add = matmul + b1
    h = np.tanh(add)
    matmul_1 = h @ W2
    pred = matmul_1 + b2
    sub = pred - y
    # grad of: return np.mean((pred - y) ** 2)
    bsub = 1.0 / np.size(sub) * 2 * sub
    bpred = unbroadcast(bsub, pred)
    # grad of: pred = h @ W2 + b2
    bmatmul_1 = unbroadcast(bpred, matmul_1)
    bb2 = unbroadcast(bpred, b2)
    bh = bmatmul_1 @ W2.T
    bW2 = h.T @ bmatmul_1
    # grad of: h = np.tanh(X @ W1 + b1)
    badd = bh * (1 - h * h)
    bmatmul = unbroadcast(badd, matmul)
    bb1 = unbroadcast(badd, b1)
    bW1 = X.T @ bmatmul
    return (bW1, bb1, bW2, bb2)
