"""retriever stage (in progress)."""
