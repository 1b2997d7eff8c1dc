"""A fit replaces an estimator's whole fitted state at its end, or leaves it untouched.

A fit writes many attributes (``n_features_in_`` when X is checked, ``classes_``, then
``coef_``, statistics, ...). A refit that stopped between them — a callback that raised,
Ctrl-C, a solver error — used to leave ``classes_`` of the new data beside ``coef_`` of
the old: a model that predicts one column of probabilities without complaint. So
``atomic_fit`` runs the fit on a shadow of the estimator (a new instance sharing its
parameters and, for warm starts, its previous fitted state) and moves the shadow's state
onto the estimator in one step once the fit has succeeded; an exception of any kind
(``KeyboardInterrupt`` included) leaves the estimator exactly as it was.

Fits of one estimator from several threads are serialized by a lock per instance (held
outside the instance, in a weak table, so that estimators stay picklable and clonable):
each fit runs whole, and the last to finish decides the state. Predictions need no lock:
they read a state that only ever changes all at once.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["atomic_fit"]

Fit = TypeVar("Fit", bound=Callable[..., Any])

_LOCKS: weakref.WeakKeyDictionary[Any, threading.RLock] = weakref.WeakKeyDictionary()
_TABLE_LOCK = threading.Lock()


def _lock_of(estimator: Any) -> threading.RLock:
    with _TABLE_LOCK:
        lock = _LOCKS.get(estimator)
        if lock is None:
            lock = _LOCKS[estimator] = threading.RLock()
        return lock


def _adopt(estimator: Any, shadow: Any) -> None:
    """The shadow's attributes become the estimator's: one dict update (a single step under
    the interpreter lock) after removing what the fit dropped (e.g. ``feature_names_in_``
    when a DataFrame fit is followed by an array fit)."""
    state = estimator.__dict__
    for name in [name for name in state if name not in shadow.__dict__]:
        del state[name]
    state.update(shadow.__dict__)


def atomic_fit(fit: Fit) -> Fit:
    """``fit`` run on a shadow of the estimator, whose state replaces the estimator's only
    when it returns; serialized per estimator."""

    @functools.wraps(fit)
    def all_or_nothing(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock_of(self):
            shadow = object.__new__(type(self))
            shadow.__dict__.update(self.__dict__)
            result = fit(shadow, *args, **kwargs)
            _adopt(self, shadow)
        return self if result is shadow else result

    return all_or_nothing  # type: ignore[return-value]
