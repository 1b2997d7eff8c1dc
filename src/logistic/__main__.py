"""``python -m logistic``: the same as the ``logistic`` command."""

from logistic.cli.app import main

if __name__ == "__main__":
    main()
