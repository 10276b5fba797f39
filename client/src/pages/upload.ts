// Page entry: upload. Filled in by its issue.
