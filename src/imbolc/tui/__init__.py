"""imbolc.tui layer."""
