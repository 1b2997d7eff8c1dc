"""Reading data, formulas stored as data, model files and atomic writes."""
