"""Credit files (信用档案): a subject's records as each kind of reader may see them, masked."""
