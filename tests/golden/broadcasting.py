def grad_broadcasting(x, y):
    exp = np.exp(x)
    add = 1 + y ** 2
    div = exp / add
    # grad of: return np.mean(x * y + np.exp(x) / (1 + y ** 2))
    badd_1 = np.broadcast_to(0.08333333333333333, (3, 4))
    bexp = badd_1 / add
    badd = np.sum(-0.08333333333333333 * div / add, axis=0)
    by = badd * 2 * y
    bx = bexp
    bx *= exp
    bx += badd_1 * y
    by += np.sum(0.08333333333333333 * x, axis=0)
    return (bx, by)
