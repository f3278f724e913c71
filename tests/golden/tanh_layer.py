def grad_tanh_layer(x, W):
    tanh = np.tanh(W @ x)
    # grad of: return np.sum(np.tanh(W @ x) ** 2)
    btanh = 2.0 * tanh
    bmatmul = btanh
    bmatmul *= 1 - tanh * tanh
    bW = np.outer(bmatmul, x)
    bx = bmatmul @ W
    return (bx, bW)
