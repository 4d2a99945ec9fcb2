"""Artwork generation backends (Qt-free): the built-in painter and, later, diffusion."""
