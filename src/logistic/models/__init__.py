"""The scikit-learn faces: LogisticRegression, LogisticRegressionCV, the two-layer network."""
