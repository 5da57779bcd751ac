"""Modal screens: pickers, prompts, questions and help."""
