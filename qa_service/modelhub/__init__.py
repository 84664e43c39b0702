"""Verified model files: what each model is made of, where to get it, how to check it."""
