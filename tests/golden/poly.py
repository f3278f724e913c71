def grad_poly(x):
    # grad of: return np.sum(3 * x ** 3 + 2 * x ** 2 + x)
    bx = 9.0 * x
    bx += 4.0
    bx *= x
    bx += 1.0
    return bx
