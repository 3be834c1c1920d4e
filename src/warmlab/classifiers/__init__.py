"""Offline classifiers shared by batteries: the sentence encoder and logistic probes over it."""
