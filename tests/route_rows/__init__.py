"""Rows of the role × route table, one module per area of the web (portal, subject space, console).

Each module holds ``ROWS`` ((method, path) -> roles allowed) and ``PLACEHOLDERS`` (path parameter -> a
value for the running-app check: an id the world does not hold answers 404 for an allowed role).
test_route_table.py merges them with its own rows."""
