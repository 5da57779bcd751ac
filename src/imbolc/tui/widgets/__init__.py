"""Small widgets shared by panes and the header."""
