"""An LSTM sequence model: gates from a helper taking *args, state tuples, np.hstack."""

import numpy as np


def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def gate(weights, *args):
    with_bias = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(with_bias, weights)


def init_lstm_params(input_size, state_size, output_size, scale, rs):
    def rp(*shape):
        return rs.randn(*shape) * scale

    return {"init_cells": rp(1, state_size), "init_hiddens": rp(1, state_size),
            "change": rp(input_size + state_size + 1, state_size),
            "forget": rp(input_size + state_size + 1, state_size),
            "ingate": rp(input_size + state_size + 1, state_size),
            "outgate": rp(input_size + state_size + 1, state_size),
            "predict": rp(state_size + 1, output_size)}


def log_softmax(logits):
    top = np.max(logits, axis=1, keepdims=True)
    return logits - top - np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))


def lstm_predict(params, inputs):
    def update_lstm(x, hiddens, cells):
        change = np.tanh(gate(params["change"], x, hiddens))
        forget = sigmoid(gate(params["forget"], x, hiddens))
        ingate = sigmoid(gate(params["ingate"], x, hiddens))
        outgate = sigmoid(gate(params["outgate"], x, hiddens))
        cells = cells * forget + ingate * change
        hiddens = outgate * np.tanh(cells)
        return hiddens, cells

    def readout(hiddens):
        return log_softmax(gate(params["predict"], hiddens))

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init_hiddens"], num_sequences, axis=0)
    cells = np.repeat(params["init_cells"], num_sequences, axis=0)
    output = [readout(hiddens)]
    for x in inputs:
        hiddens, cells = update_lstm(x, hiddens, cells)
        output.append(readout(hiddens))
    return output


def lstm_log_likelihood(params, inputs, targets):
    log_probs = lstm_predict(params, inputs)
    total = 0.0
    for t in range(len(inputs)):
        total = total + np.sum(log_probs[t] * targets[t])
    return total / (inputs.shape[0] * inputs.shape[1])


def objective(params, inputs):
    return -lstm_log_likelihood(params, inputs, inputs)


def corpus_entry():
    rs = np.random.RandomState(12)
    inputs = np.eye(3)[np.array([[0, 2], [1, 1], [2, 0]])]
    return objective, (init_lstm_params(3, 2, 3, 0.5, rs), inputs)
