"""index stage (in progress)."""
