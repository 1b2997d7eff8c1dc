"""Statistics of a fitted model: standard errors, tests, profile likelihood, Firth's
statistics, separation and diagnostics."""
