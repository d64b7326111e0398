"""Search indexes: dense vectors, BM25, and the on-disk store that holds both."""
