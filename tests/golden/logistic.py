def grad_logistic(w, b, X, y):
    matmul = X @ w
    z = matmul + b
    logaddexp = np.logaddexp(0.0, z)
    mul = y * z
    sub = logaddexp - mul
    # grad of: return np.mean(np.logaddexp(0.0, z) - y * z)
    bsub = np.broadcast_to(1.0 / np.size(sub), np.shape(sub))
    blogaddexp = unbroadcast(bsub, logaddexp)
    bmul = unbroadcast(np.broadcast_to(-(1.0 / np.size(sub)), np.shape(sub)), mul)
    bz = unbroadcast(bmul * y, z)
    bz = bz + blogaddexp * np.exp(z - logaddexp)
    # grad of: z = X @ w + b
    bb = unbroadcast(bz, b)
    bw = bz @ X
    return (bw, bb)
