"""``python -m logistic``: the same as the ``logistic`` command."""

from .cli import main

if __name__ == "__main__":
    main()
