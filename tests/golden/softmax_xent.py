def grad_softmax_xent(W, X, labels_onehot):
    logits = X @ W
    m = logits.max(axis=1, keepdims=True)
    shifted = logits - m
    exp = np.exp(shifted)
    sum_ = sum_rows(exp, keepdims=True)
    # grad of: return -np.sum(labels_onehot * (shifted - logz)) / X.shape[0]
    bsub = -0.16666666666666666 * labels_onehot
    blogz = sum_rows(bsub, keepdims=True)
    # grad of: logz = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    bsum_ = blogz
    bsum_ /= sum_
    bshifted = bsub
    bshifted -= bsum_ * exp
    # grad of: logits = X @ W
    bW = X.T @ bshifted
    return bW
