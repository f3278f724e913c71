def grad_logistic(w, b, X, y):
    matmul = X @ w
    z = matmul + b
    logaddexp = np.logaddexp(0.0, z)
    # grad of: return np.mean(np.logaddexp(0.0, z) - y * z)
    bz = -0.1 * y
    bz = bz + 0.1 * np.exp(z - logaddexp)
    # grad of: z = X @ w + b
    bb = np.sum(bz)
    bw = bz @ X
    return (bw, bb)
