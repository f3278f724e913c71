"""A character RNN: dict parameters, helpers taking *args, nested update functions."""

import numpy as np
from scipy.special import logsumexp


def affine(weights, *inputs):
    """[inputs..., 1] @ weights: the bias is the last row of weights."""
    ones = np.ones((inputs[0].shape[0], 1))
    stacked = np.concatenate(inputs + (ones,), axis=1)
    return np.dot(stacked, weights)


def create_rnn_params(input_size, state_size, output_size, scale, rs):
    return {"init_hiddens": scale * rs.randn(1, state_size),
            "change": scale * rs.randn(input_size + state_size + 1, state_size),
            "predict": scale * rs.randn(state_size + 1, output_size)}


def rnn_predict(params, inputs):
    def update(x, hiddens):
        return np.tanh(affine(params["change"], x, hiddens))

    def hiddens_to_log_probs(hiddens):
        logits = affine(params["predict"], hiddens)
        return logits - logsumexp(logits, axis=1, keepdims=True)

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init_hiddens"], num_sequences, axis=0)
    outputs = [hiddens_to_log_probs(hiddens)]
    for x in inputs:
        hiddens = update(x, hiddens)
        outputs.append(hiddens_to_log_probs(hiddens))
    return outputs


def rnn_log_likelihood(params, inputs, targets):
    log_probs = rnn_predict(params, inputs)
    num_steps, num_sequences, _ = inputs.shape
    total = 0.0
    for t in range(num_steps):
        total += np.sum(log_probs[t] * targets[t])
    return total / (num_steps * num_sequences)


def training_loss(params, inputs):
    return -rnn_log_likelihood(params, inputs, inputs)


def one_hot_sequences(text_lines, length, alphabet):
    seqs = np.zeros((length, len(text_lines), len(alphabet)))
    for i, line in enumerate(text_lines):
        for t, char in enumerate(line[:length]):
            seqs[t, i, alphabet.index(char)] = 1.0
    return seqs


def corpus_entry():
    rs = np.random.RandomState(11)
    inputs = one_hot_sequences(["abca", "cabb"], 4, "abc")
    params = create_rnn_params(3, 4, 3, 0.5, rs)
    return training_loss, (params, inputs)
