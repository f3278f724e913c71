"""A small convnet built from layer objects: methods, attribute reads, one weight vector."""

import numpy as np


class ParamLayout:
    """Named blocks of one flat parameter vector."""

    def __init__(self):
        self.blocks = {}
        self.size = 0

    def add(self, name, shape):
        start = self.size
        self.size += int(np.prod(shape))
        self.blocks[name] = (start, self.size, shape)

    def unpack(self, vect, name):
        start, stop, shape = self.blocks[name]
        return np.reshape(vect[start:stop], shape)


class Conv:
    def __init__(self, kernel_shape, num_filters):
        self.kernel_shape = kernel_shape
        self.num_filters = num_filters

    def build(self, input_shape):
        self.layout = ParamLayout()
        self.layout.add("filters", (self.num_filters, input_shape[0]) + self.kernel_shape)
        self.layout.add("biases", (self.num_filters,))
        kh, kw = self.kernel_shape
        output_shape = (self.num_filters, input_shape[1] - kh + 1, input_shape[2] - kw + 1)
        return self.layout.size, output_shape

    def forward(self, params, inputs):
        filters = self.layout.unpack(params, "filters")
        biases = self.layout.unpack(params, "biases")
        kh, kw = self.kernel_shape
        out_h = inputs.shape[2] - kh + 1
        out_w = inputs.shape[3] - kw + 1
        out = 0.0
        for i in range(kh):
            for j in range(kw):
                patch = np.transpose(inputs[:, :, i:i + out_h, j:j + out_w], (0, 2, 3, 1))
                out = out + np.dot(patch, filters[:, :, i, j].T)
        return np.tanh(np.transpose(out, (0, 3, 1, 2)) + biases[None, :, None, None])


class MaxPool:
    def __init__(self, size):
        self.size = size

    def build(self, input_shape):
        c, h, w = input_shape
        return 0, (c, h // self.size, w // self.size)

    def forward(self, params, inputs):
        n, c, h, w = inputs.shape
        s = self.size
        blocks = inputs.reshape((n, c, h // s, s, w // s, s))
        return np.max(np.max(blocks, axis=5), axis=3)


class Dense:
    def __init__(self, size):
        self.size = size

    def build(self, input_shape):
        self.layout = ParamLayout()
        self.layout.add("W", (int(np.prod(input_shape)), self.size))
        self.layout.add("b", (self.size,))
        return self.layout.size, (self.size,)

    def forward(self, params, inputs):
        x = inputs.reshape((inputs.shape[0], -1))
        return np.dot(x, self.layout.unpack(params, "W")) + self.layout.unpack(params, "b")


class ConvNet:
    def __init__(self, input_shape, layers, l2):
        self.layers = layers
        self.l2 = l2
        self.spans = []
        shape, start = input_shape, 0
        for layer in layers:
            size, shape = layer.build(shape)
            self.spans.append((start, start + size))
            start += size
        self.num_params = start

    def predict(self, params, inputs):
        for layer, (start, stop) in zip(self.layers, self.spans):
            inputs = layer.forward(params[start:stop], inputs)
        top = np.max(inputs, axis=1, keepdims=True)
        return inputs - top - np.log(np.sum(np.exp(inputs - top), axis=1, keepdims=True))

    def loss(self, params, inputs, targets):
        log_probs = self.predict(params, inputs)
        return -np.sum(log_probs * targets) / len(inputs) + self.l2 * np.sum(params ** 2)


model = ConvNet((1, 6, 6), [Conv((3, 3), 2), MaxPool(2), Dense(2)], l2=0.01)


def corpus_entry():
    rs = np.random.RandomState(18)
    images = rs.randn(3, 1, 6, 6)
    targets = np.eye(2)[np.array([0, 1, 1])]
    return model.loss, (0.3 * rs.randn(model.num_params), images, targets)
