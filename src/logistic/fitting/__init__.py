"""The fitting pipeline: validation, the problem, the single solver run, paths."""
