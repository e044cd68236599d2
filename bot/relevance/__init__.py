"""Relevance that learns: paper embeddings, a channel's model from its votes, and its ranking."""
