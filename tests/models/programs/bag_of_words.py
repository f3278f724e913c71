"""A bag-of-embeddings sentence classifier; sentences are a ragged list of token ids."""

import numpy as np


def sentence_vector(embeddings, tokens):
    return np.mean(embeddings[tokens], axis=0)


def logistic_loss(embeddings, weights, sentences, labels):
    total = 0.0
    for tokens, label in zip(sentences, labels):
        score = np.dot(sentence_vector(embeddings, tokens), weights)
        total = total + np.logaddexp(0.0, -label * score)
    return total / len(sentences) + 0.01 * np.sum(embeddings ** 2)


def corpus_entry():
    rs = np.random.RandomState(2)
    embeddings = rs.randn(6, 3)
    weights = rs.randn(3)
    sentences = [np.array([1, 4, 2]), np.array([3, 0]), np.array([2, 2, 5, 1]), np.array([5])]
    labels = np.array([1.0, -1.0, 1.0, -1.0])
    return logistic_loss, (embeddings, weights, sentences, labels)
