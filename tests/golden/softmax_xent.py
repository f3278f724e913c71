def grad_softmax_xent(W, X, labels_onehot):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    shifted = logits - m
    exp = np.exp(shifted)
    sum_ = np.sum(exp, axis=1, keepdims=True)
    logz = np.log(sum_)
    sub = shifted - logz
    mul = labels_onehot * sub
    X_shape = X.shape
    X_shape0 = X_shape[0]
    # grad of: return -np.sum(labels_onehot * (shifted - logz)) / X.shape[0]
    bneg = 1.0 / X_shape0
    bsum_1 = -bneg
    bmul = np.broadcast_to(bsum_1, np.shape(mul))
    bsub = unbroadcast(bmul * labels_onehot, sub)
    bshifted = unbroadcast(bsub, shifted)
    blogz = unbroadcast(-bsub, logz)
    # grad of: logz = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    bsum_ = blogz / sum_
    bexp = np.broadcast_to(bsum_, np.shape(shifted))
    bshifted = bshifted + bexp * exp
    # grad of: shifted = logits - m
    blogits = unbroadcast(bshifted, logits)
    bm = unbroadcast(-bshifted, m)
    # grad of: m = np.max(logits, axis=1, keepdims=True)
    mask = logits == m
    blogits = blogits + bm * mask / np.sum(mask, axis=1, keepdims=True, dtype=np.result_type(m))
    # grad of: logits = X @ W
    bW = X.T @ blogits
    return bW
