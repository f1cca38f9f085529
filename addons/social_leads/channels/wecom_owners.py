"""Our user for a WeCom employee (the one who added the external contact).

The backend's options may map a WeCom userid to one of our users' login or
e-mail (`{"users": {"zhangsan": "zhang.san@example.cn"}}`); an employee not
mapped is looked up by login = WeCom userid. Nobody found: no owner, and
the sales assignment rules choose one."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, or_, select


def owner_of(session, options: dict, wecom_user_id: str) -> int | None:
    if not wecom_user_id:
        return None
    wanted = str((options.get("users") or {}).get(wecom_user_id) or wecom_user_id).lower()
    return session.scalar(select(User.id).where(
        User.active.is_(True),
        or_(func.lower(User.username) == wanted, func.lower(User.email) == wanted))
        .order_by(User.id).limit(1))
