"""imbolc.persist layer."""
