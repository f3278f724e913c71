def grad_softmax_xent(W, X, labels_onehot):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    shifted = logits - m
    exp = np.exp(shifted)
    sum_ = np.sum(exp, axis=1, keepdims=True)
    logz = np.log(sum_)
    sub = shifted - logz
    mul = labels_onehot * sub
    sum_1 = np.sum(mul)
    neg = -sum_1
    X_shape0 = (6, 4)[0]
    div = neg / X_shape0
    # grad of: return -np.sum(labels_onehot * (shifted - logz)) / X.shape[0]
    bdiv = scalar_seed(div)
    bneg = unbroadcast(bdiv / X_shape0, neg)
    bsum_1 = -bneg
    bsub = bsum_1 * labels_onehot
    blogz = -bsub.sum(axis=1, keepdims=True)
    # grad of: logz = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    bsum_ = blogz / sum_
    bshifted = bsub + bsum_ * exp
    # grad of: shifted = logits - m
    bm = -bshifted.sum(axis=1, keepdims=True)
    # grad of: m = np.max(logits, axis=1, keepdims=True)
    mask = logits == m
    blogits = bshifted + bm * mask / mask.sum(axis=1, keepdims=True, dtype=np.result_type(m))
    # grad of: logits = X @ W
    bW = X.T @ blogits
    return bW
