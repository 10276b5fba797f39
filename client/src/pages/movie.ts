// Page entry: movie. Filled in by its issue.
