"""The model corpus: NumPy programs written the way people write them (see ../corpus.py)."""
