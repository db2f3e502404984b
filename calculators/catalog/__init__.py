"""Shared domain data, pure Python: model architectures, GPUs and memory units. Every tool
reads the same catalog, so a model or a card is described once."""
