"""The fit pipeline below the estimators: ``validation`` (every check of parameters and
data), ``problem`` (settings, targets, penalty strength, solver choice, start), ``run``
(the one solver run), ``in_memory`` (the in-memory fit with ``statistics`` and
``separation_screen``), ``outcome`` (what lands on the estimator) and ``path``."""
