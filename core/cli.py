"""The `crossdock` command: run the server, manage addons, the database, users and teams.

Refusals (unknown addon, missing or circular dependency, broken addon) print
the reason on stderr and exit with status 2, leaving the database as it was.

Addons add commands of their own (`addon.command(...)` in their `register`):
each appears as `crossdock <addon> <command>`, runs inside the app, and is
refused (status 2) while the addon is not installed or disabled.
"""
from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import click

from . import extensions

EXIT_REFUSED = 2


def _app():
    from .app import create_app

    return create_app()


def _runtime(app):
    return app.extensions["crossdock"].runtime


def _refuse(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


def _lifecycle_call(fn, *args):
    from .addons.lifecycle import LifecycleError
    from .db import db

    app = _app()
    with app.app_context():
        try:
            return app, fn(db.session, _runtime(app), *args)
        except LifecycleError as exc:
            _refuse(str(exc))


@cache
def _addon_commands() -> dict[str, list]:
    """The commands each importable addon declares (imports addons, no database)."""
    from .addons.discovery import discover
    from .addons.loader import load_all
    from .config import Settings

    loaded, _broken = load_all(discover(Settings.from_env().addons_paths))
    return {la.name: registrar.commands for la, registrar in loaded if registrar.commands}


class _AddonGroup(click.Group):
    """One addon's commands, run in the app once the addon is known to be active."""

    def invoke(self, ctx):
        # reached only with a command named: bare `crossdock <addon>` prints the usage
        app = _app()
        with app.app_context():
            gate = _runtime(app).gate
            if gate.upgrade_pending(self.name):
                _refuse(f"addon '{self.name}': upgrade pending (its code is newer than the "
                        f"database): run 'crossdock addons upgrade {self.name}' first")
            if not gate.is_active(self.name):
                _refuse(f"addon '{self.name}' is not installed (or is disabled): "
                        f"run 'crossdock addons install {self.name}' first")
            return super().invoke(ctx)


class _CrossdockGroup(click.Group):
    """Core's commands, then one group per addon that declares commands."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(_addon_commands())
                      | {c.name for c in extensions.commands()})

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name) or next(
            (c for c in extensions.commands() if c.name == name), None)
        if command is not None or name not in _addon_commands():
            return command
        group = _AddonGroup(name, help=f"Commands of the addon '{name}'.")
        for addon_command in _addon_commands()[name]:
            group.add_command(addon_command)
        return group


@click.group(cls=_CrossdockGroup)
def main() -> None:
    """Crossdock, the modular CRM."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    """Serve Crossdock (development server) on the configured database."""
    from .serving.log_format import configure_from_env
    from .users import ensure_admin

    configure_from_env()
    app = _app()
    with app.app_context():
        sm = app.appbuilder.sm
        username, password = ensure_admin(sm, app.extensions["crossdock"].settings.instance_path)
    extensions.serve(app)  # e.g. the hub's in-process workers and scheduler
    click.echo(f"Crossdock on http://{host}:{port}/")
    if password:
        click.echo(f"Admin login: {username} / {password}")
    else:
        click.echo(f"Admin login: {username} (password changed since first run)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write.")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="A folder to write a new backup into (default: CROSSDOCK_BACKUP_DIR, "
                   "else <instance>/backups).")
@click.option("--keep", type=click.IntRange(min=1),
              help="Then delete the folder's oldest backups beyond this many.")
def backup(output: Path | None, folder: Path | None, keep: int | None) -> None:
    """Back up the database and the secret key, encrypted, while the app serves."""
    from .backup.envelope import BackupError
    from .backup.files import backup_folder, new_backup_path, prune
    from .backup.history import recorded
    from .backup.take import take_backup
    from .config import Settings

    if output and (folder or keep):
        _refuse("--output writes one file: --to and --keep are for a folder of backups")
    settings = Settings.from_env()
    folder = folder or backup_folder(settings)
    target = output or new_backup_path(folder)
    try:
        with recorded(settings, "command", target):
            path = take_backup(settings, target)
    except BackupError as exc:
        _refuse(str(exc))
    click.echo(f"backup: {path} ({path.stat().st_size} bytes)")
    for gone in prune(folder, keep) if keep else ():
        click.echo(f"  deleted {gone.name} (keeping {keep})")


@main.command()
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--migrate", is_flag=True,
              help="Restore a backup older than this code, then upgrade its schema.")
def restore(backup_file: Path, migrate: bool) -> None:
    """Restore a backup into an empty database (the configured one)."""
    from .backup.envelope import BackupError
    from .backup.restore import restore_backup
    from .config import Settings

    try:
        done = restore_backup(Settings.from_env(), backup_file, migrate=migrate)
    except BackupError as exc:
        _refuse(str(exc))
    click.echo(f"restored: {backup_file} (taken {done.header['created_at']}, "
               f"Crossdock {done.header['crossdock_version']})")
    if done.migrated:
        click.echo(f"  migrated: {', '.join(done.migrated)}")
    if done.secret_key_file:
        click.echo(f"  secret key written to {done.secret_key_file}")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the platform and every installed addon to their newest schema."""
    from .addons import lifecycle

    app, done = _lifecycle_call(lifecycle.upgrade)
    click.echo("platform: up to date")
    click.echo(f"addons upgraded: {', '.join(done) or 'none'}")


@db.command("check-upgrade")
def db_check_upgrade() -> None:
    """Before a rolling upgrade, with the new code: the migrations `db upgrade`
    would run, and whether the code still serving survives them (expand) or
    not (contract). Exits 2 when one contracts without saying so."""
    from sqlalchemy import create_engine, inspect, select

    from . import migrate
    from .addons.discovery import discover, migration_dirs
    from .addons.models import INSTALLED, AddonModule
    from .config import Settings
    from .migration_phases import CONTRACT, judge

    settings = Settings.from_env()
    engine = create_engine(settings.database_url)  # not create_app: it migrates the platform
    try:
        with engine.connect() as conn:
            installed = (sorted(conn.scalars(select(AddonModule.name).where(
                AddonModule.state == INSTALLED))) if inspect(conn).has_table(
                AddonModule.__tablename__) else [])
            pending = migrate.pending_revisions(
                conn, [migrate.PLATFORM, *installed],
                migration_dirs(discover(settings.addons_paths)))
    finally:
        engine.dispose()
    judged = [judge(branch, rev.revision, Path(rev.path)) for branch, rev in pending]
    if not judged:
        click.echo("nothing to migrate")
    for rev in judged:
        what = "; ".join(str(f) for f in rev.findings)
        if rev.refused:
            click.echo(f"{rev.branch} {rev.revision}: contracts without saying so ({what})")
        elif rev.phase == CONTRACT:
            click.echo(f"{rev.branch} {rev.revision}: contract ({what or 'declared'}); the "
                       "code still serving must not use what it removes")
        else:
            click.echo(f"{rev.branch} {rev.revision}: expand")
    refused = [r for r in judged if r.refused]
    if refused:
        _refuse(f"{len(refused)} migration(s) would break the code still serving: ship "
                "them in a later release marked phase = \"contract\" (README, \"Upgrading "
                "without downtime\")")


@main.group()
def addons() -> None:
    """List, install, upgrade, disable, enable and uninstall addons."""


@addons.command("list")
def addons_list() -> None:
    from .views.modules import module_rows

    app = _app()
    with app.test_request_context():
        for row in module_rows():
            line = (f"{row.name:<20} {row.state:<16} {row.installed_version or '-':<10} "
                    f"{row.available_version or '-':<10} {row.summary}")
            click.echo(line)
            if row.error:
                click.echo(f"{'':<20} ! {row.error}")


@addons.command("install")
@click.argument("names", nargs=-1, required=True)
@click.option("--demo", is_flag=True, help="Also load the demo files of the addons installed.")
def addons_install(names, demo: bool) -> None:
    from functools import partial

    from .addons import lifecycle

    _, done = _lifecycle_call(partial(lifecycle.install, demo=demo), list(names))
    click.echo(f"installed: {', '.join(done) or 'nothing (already installed)'}")


@addons.command("upgrade")
@click.argument("names", nargs=-1)
def addons_upgrade(names) -> None:
    from .addons import lifecycle

    _, done = _lifecycle_call(lifecycle.upgrade, list(names) or None)
    click.echo(f"upgraded: {', '.join(done) or 'nothing to upgrade'}")


@addons.command("disable")
@click.argument("names", nargs=-1, required=True)
def addons_disable(names) -> None:
    from .addons import lifecycle

    _, done = _lifecycle_call(lifecycle.disable, list(names))
    click.echo(f"disabled: {', '.join(done)}")


@addons.command("enable")
@click.argument("names", nargs=-1, required=True)
def addons_enable(names) -> None:
    from .addons import lifecycle

    _, done = _lifecycle_call(lifecycle.enable, list(names))
    click.echo(f"enabled: {', '.join(done)}")


@addons.command("uninstall")
@click.argument("names", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True,
              help="For an addon whose code and kept migration scripts are both gone: mark "
                   "it uninstalled anyway, leaving its tables (they are listed).")
def addons_uninstall(names, yes: bool, force: bool) -> None:
    from .addons import lifecycle
    from .addons.lifecycle import LifecycleError
    from .db import db as database

    app = _app()
    with app.app_context():
        runtime = _runtime(app)
        try:
            plan = lifecycle.plan_uninstall(database.session, runtime, list(names))
        except LifecycleError as exc:
            _refuse(str(exc))
        click.echo(f"will uninstall (dependents first): {', '.join(plan.addons)}")
        for table, rows in plan.rows.items():
            click.echo(f"  drops table {table} ({rows} rows)")
        if plan.missing and not force:
            _refuse(lifecycle.missing_refusal(plan))
        for name, what in plan.missing.items():
            click.echo(f"  {name} is missing: --force marks it uninstalled, leaving {what}")
        if not yes and not click.confirm("Proceed? A backup is taken first", default=False):
            _refuse("cancelled")
        backup_dir = app.extensions["crossdock"].settings.instance_path / "backups"
        try:
            removed, backup = lifecycle.uninstall(database.session, runtime, list(names),
                                                  backup_dir, force=force)
        except LifecycleError as exc:
            _refuse(str(exc))
    click.echo(f"uninstalled: {', '.join(removed)}")
    if backup:
        click.echo(f"backup: {backup}")


@addons.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Delete the rows the tables hold now (a fresh install's defaults) first.")
def addons_restore(backup_file: Path, replace: bool) -> None:
    """Put an uninstall backup back, after 'crossdock addons install NAME'."""
    from .addons.restore import RestoreError, restore
    from .db import db as database

    app = _app()
    with app.app_context():
        try:
            result = restore(database.session, backup_file, replace=replace)
        except RestoreError as exc:
            _refuse(str(exc))
    for table, rows in result.replaced.items():
        click.echo(f"  deleted {rows} row(s) of {table} first")
    for table, rows in result.rows.items():
        click.echo(f"  restored {rows} row(s) of {table}")
    if result.related or result.related_gone:
        click.echo(f"  put back {result.related} related row(s)"
                   + (f"; {result.related_gone} deleted since, not recreated"
                      if result.related_gone else ""))
    click.echo(f"restored: {backup_file}")


@addons.command("new")
@click.argument("name")
@click.option("--path", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the addon into (default: the first "
                   "CROSSDOCK_ADDONS_PATH entry, else ./addons).")
@click.option("--depends", multiple=True, help="An addon it builds on (repeatable).")
@click.option("--model", help="The model's class name (default from NAME: visits -> Visit).")
def addons_new(name: str, target: Path | None, depends, model: str | None) -> None:
    """Scaffold a working addon: model, screen, REST API, rules, migration, zh catalog, test."""
    from .config import Settings
    from .devtools.scaffold import ScaffoldError, new_addon

    paths = Settings.from_env().addons_paths
    target = target or (paths[0] if paths else Path("addons"))
    try:
        folder = new_addon(name, target, list(depends), paths, model)
    except ScaffoldError as exc:
        _refuse(str(exc))
    click.echo(f"created {folder}")
    if folder.parent.resolve() not in {p.resolve() for p in paths}:
        click.echo(f"add {folder.parent} to CROSSDOCK_ADDONS_PATH, then: "
                   f"crossdock addons install {name}")
    else:
        click.echo(f"next: crossdock addons install {name}")


@addons.command("revision")
@click.argument("name")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def addons_revision(name: str, message: str) -> None:
    """Autogenerate a migration on NAME's branch from its models (its tables only)."""
    from .db import db as database
    from .devtools.revision import RevisionError, generate

    app = _app()
    with app.app_context():
        try:
            path = generate(database.session, _runtime(app), name, message)
        except RevisionError as exc:
            _refuse(str(exc))
    click.echo(f"wrote {path}")
    click.echo(f"review it, bump 'version' in {path.parents[1] / '__manifest__.py'}, then: "
               f"crossdock addons upgrade {name}")


@main.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, default=["Read-only"], show_default=True)
@click.password_option()
def user_create(username, email, roles, password) -> None:
    from .users import UserError, create_user

    app = _app()
    with app.app_context():
        try:
            create_user(app.appbuilder.sm, username, email, password, list(roles))
        except UserError as exc:
            _refuse(str(exc))
    click.echo(f"created user {username} ({', '.join(roles)})")


@main.group()
def teams() -> None:
    """Teams and their members (the "team" record-rule scope)."""


def _team_call(fn, *args):
    """Run a team operation in one transaction; a TeamError is refused (status 2)."""
    from .db import db
    from .security.team_admin import TeamError

    app = _app()
    with app.app_context():
        try:
            result = fn(db.session, *args)
            db.session.commit()
        except TeamError as exc:
            db.session.rollback()
            _refuse(str(exc))
    return result


@teams.command("list")
def teams_list() -> None:
    from .db import db
    from .security.team_admin import teams as all_teams

    app = _app()
    with app.app_context():
        rows = [(t.name, sorted(u.username for u in t.members)) for t in all_teams(db.session)]
    if not rows:
        click.echo("no teams (add one: crossdock teams add NAME)")
    for name, members in rows:
        click.echo(f"{name:<24} {', '.join(members) or '(no members)'}")


@teams.command("add")
@click.argument("name")
def teams_add(name: str) -> None:
    from .security.team_admin import add_team

    team = _team_call(lambda session: add_team(session, name).name)
    click.echo(f"added team {team}")


@teams.command("rename")
@click.argument("name")
@click.argument("new_name")
def teams_rename(name: str, new_name: str) -> None:
    from .security.team_admin import rename_team

    team = _team_call(lambda session: rename_team(session, name, new_name).name)
    click.echo(f"renamed team {name} to {team}")


@teams.command("delete")
@click.argument("name")
def teams_delete(name: str) -> None:
    from .security.team_admin import delete_team

    _team_call(delete_team, name)
    click.echo(f"deleted team {name}")


@teams.command("add-member")
@click.argument("team")
@click.argument("username")
def teams_add_member(team: str, username: str) -> None:
    from .security.team_admin import add_member

    if _team_call(add_member, team, username):
        click.echo(f"added {username} to team {team}")
    else:
        click.echo(f"{username} is already in team {team}: nothing to do")


@teams.command("remove-member")
@click.argument("team")
@click.argument("username")
def teams_remove_member(team: str, username: str) -> None:
    from .security.team_admin import remove_member

    if _team_call(remove_member, team, username):
        click.echo(f"removed {username} from team {team}")
    else:
        click.echo(f"{username} is not in team {team}: nothing to do")
