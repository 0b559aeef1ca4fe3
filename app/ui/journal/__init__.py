"""The journal of changes, as a dialog reachable from File › Journal of changes…."""
