"""Creating users, and the first admin of a new instance."""
from __future__ import annotations

import secrets
from pathlib import Path

from werkzeug.security import check_password_hash

from .security.usernames import username_taken

INITIAL_PASSWORD_FILE = "initial_admin_password"


class UserError(ValueError):
    """The user cannot be created; the message says why."""


def create_user(sm, username: str, email: str, password: str, role_names: list[str],
                first_name: str = "", last_name: str = ""):
    roles = []
    for name in role_names:
        role = sm.find_role(name)
        if role is None:
            raise UserError(f"unknown role '{name}'")
        roles.append(role)
    if username_taken(sm.session, username):
        raise UserError(f"user '{username}' exists already (user names ignore case)")
    if sm.find_user(email=email):
        raise UserError(f"e-mail '{email}' is used by another user")
    user = sm.add_user(username, first_name or username, last_name or "-", email,
                       roles, password)
    if not user:
        raise UserError(f"user '{username}' could not be created")
    return user


def ensure_admin(sm, instance_path: Path) -> tuple[str, str | None]:
    """Create `admin` if no admin exists; return (username, password if still the initial one)."""
    path = instance_path / INITIAL_PASSWORD_FILE
    admin_role = sm.find_role("Admin")
    admins = [u for u in sm.get_all_users() if admin_role in u.roles]
    if not admins:
        password = secrets.token_urlsafe(12)
        create_user(sm, "admin", "admin@localhost", password, ["Admin"], "Admin", "Crossdock")
        path.write_text(password)
        path.chmod(0o600)
        return "admin", password
    user = admins[0]
    if path.exists() and check_password_hash(user.password, path.read_text()):
        return user.username, path.read_text()
    return user.username, None
