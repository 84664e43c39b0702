"""Reproducible training of the project's own models (run by ``qa-service models train-*``)."""
