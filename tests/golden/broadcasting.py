def grad_broadcasting(x, y):
    mul = x * y
    exp = np.exp(x)
    pow_ = y ** 2
    add = 1 + pow_
    div = exp / add
    add_1 = mul + div
    # grad of: return np.mean(x * y + np.exp(x) / (1 + y ** 2))
    badd_1 = np.broadcast_to(1.0 / np.size(add_1), np.shape(add_1))
    bmul = unbroadcast(badd_1, mul)
    bdiv = unbroadcast(badd_1, div)
    bexp = unbroadcast(bdiv / add, exp)
    badd = unbroadcast(-bdiv * div / add, add)
    by = badd * 2 * y
    bx = bexp * exp
    bx = bx + unbroadcast(bmul * y, x)
    by = by + unbroadcast(bmul * x, y)
    return (bx, by)
