// Page entry: admin. Filled in by its issue.
