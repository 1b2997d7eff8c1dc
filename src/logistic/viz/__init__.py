"""Plots, explanations and the HTML report."""
