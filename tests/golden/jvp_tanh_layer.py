def jvp_tanh_layer(x, W, dx, dW):
    # tangent of: return np.sum(np.tanh(W @ x) ** 2)
    matmul = W @ x
    dmatmul = dW @ x + W @ dx
    tanh = np.tanh(matmul)
    dtanh = dmatmul * (1 - tanh * tanh)
    pow_ = tanh ** 2
    dpow_ = dtanh * 2 * tanh
    sum_ = np.sum(pow_)
    dsum_ = np.sum(dpow_)
    return (sum_, dsum_)
