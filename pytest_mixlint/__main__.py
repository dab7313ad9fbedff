"""``python -m pytest_mixlint``: the ``mixlint`` command."""

import sys

from .cli import main

sys.exit(main())
