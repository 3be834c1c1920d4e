"""Measurements of a model's style: the warmth score (warmth.py)."""
