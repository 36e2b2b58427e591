"""``python -m sklearn_bt``: the ``sklearn-bt`` command (see ``sklearn_bt._cli``)."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
