"""Programs using functions as values, methods and helper effects (tests/language).

Loaded twice by ``test_functions.py``: as written (srcxform) and with NumPy
replaced by ``autograd.numpy`` (the oracle, where the program is pure).
"""

import functools

import numpy as np

# -- closures ---------------------------------------------------------------------------------

def closure_over_closure(x, y):
    a = np.sin(x)

    def outer(t):
        b = t * a
        inner = lambda s: s * b + a  # noqa: E731
        return inner(t) * y

    return np.sum(outer(x))


def late_binding(x):
    scale = 2.0
    f = lambda t: scale * t  # noqa: E731
    scale = np.cos(x)  # a closure reads the variable as it is at the call
    return np.sum(f(x))


def make_affine(w, b):
    def affine(x):
        return np.tanh(x @ w + b)
    return affine


def uses_factory_inside(w, x):
    layer = make_affine(w, 0.1)
    return np.sum(layer(layer(x)) ** 2)


def make_loss(scale, act=np.tanh):
    def loss(w, x):
        return scale * np.sum(act(x @ w) ** 2)
    return loss


factory_loss = make_loss(0.5, act=np.sin)


def with_activation(x, act=np.tanh):
    return np.sum(act(x) * x)


def softplus(t):
    return np.log1p(np.exp(t))


def apply_twice(f, x):
    return f(f(x))


def passes_functions(x):
    return np.sum(apply_twice(softplus, x) + apply_twice(np.sin, x))


def local_default(x):
    k = 3.0

    def scaled(t, factor=k):
        return factor * t

    k = 5.0
    return np.sum(scaled(x) + scaled(x, factor=np.cos(x)))


# -- partial ----------------------------------------------------------------------------------

def weighted(w, x, power):
    return np.sum((w * x) ** power)


def partial_inside(w, x):
    f = functools.partial(weighted, w, power=2)
    return f(x) + f(2.0 * x)


partial_top = functools.partial(weighted, power=3)


# -- methods ----------------------------------------------------------------------------------

class Scaler:
    def __init__(self, scale):
        self.scale = scale
        self.shape = (3,)

    def apply(self, x):
        return self.scale * x[:self.shape[0]]


class Model:
    def __init__(self, scale, bias):
        self.scaler = Scaler(scale)
        self.bias = bias

    def predict(self, w, x):
        return self.scaler.apply(x * w) + self.bias

    def loss(self, w, x):
        return np.sum(self.predict(w, x) ** 2)


def calls_a_model(w, x, model):
    return model.loss(w, x) + np.sum(w)


class Layer:
    def __init__(self, W, b, scale):
        self.W, self.b, self.scale = W, b, scale

    def loss(self, x):
        return np.sum(np.tanh(x @ self.W + self.b) ** 2) * self.scale


def reads_a_differentiated_object(layer, x):
    return np.sum(np.tanh(x @ layer.W + layer.b) ** 2) * layer.scale


def calls_a_differentiated_object(layer, x):
    return layer.loss(x)


def reads_parameters_of_a_pytree(params, layer, x):
    """What the refusal of the two above says to write: the parameters differentiated as
    a dict, the object an argument that is not."""
    return np.sum(np.tanh(x @ params["W"] + params["b"]) ** 2) * layer.scale


# -- helpers with effects ---------------------------------------------------------------------

def fill(x):
    out = np.zeros(x.shape[0] + 1)
    out[1:] = np.cumsum(x)
    out[0] = x[0] * 2.0
    return out


def collect(x, n):
    parts = []
    for k in range(n):
        parts.append(np.sin(x * (k + 1)))
    return parts


def plot(ax, values):
    if ax is not None:
        ax.plot(values)


def normalize(x):
    s = np.sum(x ** 2)
    if s > 10.0:
        return x / np.sqrt(s)
    return x


def with_helper_effects(x, ax=None):
    y = fill(x)
    plot(ax, y)
    total = 0.0
    for part in collect(y, 3):
        total = total + np.sum(part)
    return total + np.sum(normalize(y))


# -- function values read from a dict, partial layers with a function-valued default ----------

PENALTIES = {"cauchy": lambda r: np.log1p(r ** 2), "squared": lambda r: 0.5 * r ** 2,
             "soft": softplus}
MIX = {"cauchy": 0.5, "squared": 0.3, "soft": 0.2}


def penalties_from_dict(w, x):
    resid = x * w - 0.3
    total = 0.0
    for name in ("cauchy", "squared", "soft"):
        fn = PENALTIES[name]
        total = total + MIX[name] * np.mean(fn(resid))
    return total + np.sum(PENALTIES["cauchy"](w))


def layer(kernel, w, x, act=np.tanh):
    return act(kernel * x + w)


def partial_layers(w, x):
    first = functools.partial(layer, 0.5, w)
    second = functools.partial(layer, 2.0, act=softplus)
    return np.sum(second(w, first(x)))


# -- a nested function calling a global whose name a temporary would take ---------------------

def log_softmax_rows(logits):
    def normalise(z):
        return z - np.log(np.sum(np.exp(z)))

    return np.sum(normalise(logits) * normalise(2.0 * logits))


# -- callable objects, a loop over layer objects ------------------------------------------------

class Dense:
    def __init__(self, n_in, n_out, act=np.tanh):
        self.shape = (n_in, n_out)
        self.act = act

    def forward_pass(self, x, params):
        W = params[:self.shape[0] * self.shape[1]].reshape(self.shape)
        return self.act(x @ W)

    def num_params(self):
        return self.shape[0] * self.shape[1]


class Sum:
    def __call__(self, x):
        return np.sum(x ** 2)


class Net:
    def __init__(self):
        self.layers = [Dense(3, 2), Dense(2, 2, act=softplus)]
        self.head = Sum()

    def loss(self, params, x):
        start = 0
        for layer in self.layers:
            n = layer.num_params()
            x = layer.forward_pass(x, params[start:start + n])
            start = start + n
        return self.head(x)
