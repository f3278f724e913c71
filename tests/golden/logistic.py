def grad_logistic(w, b, X, y):
    z = X @ w + b
    # grad of: return np.mean(np.logaddexp(0.0, z) - y * z)
    bz = -0.1 * y
    t = -0.5 * z
    np.tanh(t, out=t)
    bz += 0.05 * (1 - t)
    # grad of: z = X @ w + b
    bb = bz.sum()
    bw = bz @ X
    return (bw, bb)
