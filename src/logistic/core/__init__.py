"""The seeds' formulas and the numerical kernels: sigmoid, losses, penalties, the design
matrix, the objective. Imports nothing else of logistic."""
