"""Hostile and broken model files, given to training and prediction."""

from bad_inputs import Case

CASES: dict[str, Case] = {}
