"""Reductions from combinatorial problems to ReLU fitting problems, with exact value maps."""
