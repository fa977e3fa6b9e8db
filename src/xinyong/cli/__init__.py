"""Command line: the root Typer app, which mounts one module per domain — server (init, serve, demo),
ids (check-id), ingest, backup (backup, restore), catalog, workdays, audit, departments (depts),
accounts (users, tokens), keys.

Each command prints Chinese messages; on a domain error it prints the code and exits with status 2
(``cli.common.fail``). Commands that read or write the database refuse one that ``xinyong init`` has
not initialised (``cli.common.sessions``)."""

from __future__ import annotations

import typer

from xinyong.cli import (
    accounts,
    audit,
    backup,
    catalog,
    departments,
    ids,
    ingest,
    keys,
    lists,
    server,
    workdays,
)

app = typer.Typer(help="xinyong 公共信用信息平台", no_args_is_help=True, pretty_exceptions_enable=False)
app.command("init")(server.init)
app.command("demo")(server.demo)
app.command("serve")(server.serve)
app.command("check-id")(ids.check_id)
app.command("ingest")(ingest.ingest_command)
app.command("backup")(backup.backup_command)
app.command("restore")(backup.restore_command)
app.add_typer(catalog.app, name="catalog")
app.add_typer(workdays.app, name="workdays")
app.add_typer(audit.app, name="audit")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.tokens_app, name="tokens")
app.add_typer(keys.app, name="keys")
app.add_typer(departments.app, name="depts")
app.add_typer(lists.app, name="lists")


def main() -> None:
    app()
