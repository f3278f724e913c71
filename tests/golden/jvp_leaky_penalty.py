def jvp_leaky_penalty(x, dx):
    # tangent of: s = 0.0
    s = 0.0
    ds = 0.0
    # tangent of: for i in range(len(x)):
    len_ = len(x)
    for i in range(len_):
        # tangent of: if x[i] > 0:
        x_item = x[i]
        cond = x_item > 0
        if cond:
            # tangent of: s += x[i] ** 2
            x_item_1 = x[i]
            dx_item_1 = dx[i]
            pow_ = x_item_1 ** 2
            dpow_ = dx_item_1 * 2 * x_item_1
            add = s + pow_
            dadd = ds + dpow_
            s = add
            ds = dadd
        else:
            # tangent of: s += 0.1 * x[i]
            x_item_2 = x[i]
            dx_item_2 = dx[i]
            mul = 0.1 * x_item_2
            dmul = dx_item_2 * 0.1
            add_1 = s + mul
            dadd_1 = ds + dmul
            s = add_1
            ds = dadd_1
    return (s, ds)
