"""``python -m imbolc`` runs the command line."""

from __future__ import annotations

import sys

from imbolc.cli import main

sys.exit(main())
