"""qa stage (in progress)."""
