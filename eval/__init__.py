"""eval stage (in progress)."""
