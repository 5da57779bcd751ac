"""imbolc.engine layer."""
