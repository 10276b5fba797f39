// Page entry: index. Filled in by its issue.
