"""imbolc.net layer."""
