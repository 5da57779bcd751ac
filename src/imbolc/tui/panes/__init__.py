"""The panes: one full-screen view of one part of the project each."""
