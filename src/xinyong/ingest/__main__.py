"""``python -m xinyong.ingest FILE --item CODE --dept CODE`` (the same as ``xinyong ingest``)."""

import typer

from xinyong.cli.ingest import ingest_command

typer.run(ingest_command)
