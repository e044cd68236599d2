"""Paperboy: new arXiv papers, matched to a channel's topics, delivered every day."""

__version__ = "0.1.0"
