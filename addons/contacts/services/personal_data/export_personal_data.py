"""Export everything the active addons store about a person (PIPL art. 45,
GDPR art. 15) as one ZIP:

    summary.txt                       what is inside, in Chinese and English
    <provider>/<section>.json         the rows of each section (rows.py)
    <provider>/files/<path>           stored files: raw mails, attachments

The export is audited (`export_personal_data`: who, when, whose, which
sections) in the caller's transaction; the caller commits.
"""
from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy.orm import Session

from core.security.audit import record_event
from core.user_time import exported, utc_now

from .provider import Found, providers, subject_of
from .subject import PersonalDataError, load_person

SUMMARY_HEAD = ("个人信息导出 / Personal data export",
                "依据《个人信息保护法》第四十五条 / under PIPL art. 45 and GDPR art. 15")


def export_zip(session: Session, person_id: int) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of the person's data; PersonalDataError if unknown
    or a provider fails (its name and the reason in the message)."""
    subject = subject_of(load_person(session, person_id))
    found: dict[str, Found] = {}
    for provider in providers():
        try:
            found[provider.name] = provider.export(session, subject)
        except Exception as exc:  # any provider's trouble refuses the whole export
            raise PersonalDataError(f"{provider.name}: {exc}") from exc
    generated = exported(utc_now())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.txt", _summary(subject.person, generated, found))
        for name, part in found.items():
            for section, rows in part.sections.items():
                archive.writestr(f"{name}/{section}.json",
                                 json.dumps(rows, ensure_ascii=False, indent=2))
            for path, content in part.files.items():
                archive.writestr(f"{name}/files/{path}", content)
    record_event(session, "export_personal_data", "Person", person_id, details={
        "sections": {f"{name}/{section}": len(rows) for name, part in found.items()
                     for section, rows in part.sections.items()},
        "files": sum(len(part.files) for part in found.values())})
    return f"personal-data-person-{person_id}.zip", buffer.getvalue()


def _summary(person, generated: str, found: dict[str, Found]) -> str:
    lines = [*SUMMARY_HEAD, "",
             f"姓名 / Name: {person.name}",
             f"编号 / Person ID: {person.id}",
             f"导出时间 / Exported at: {generated}", "",
             "内容 / Contents (条数 / rows):"]
    for name, part in found.items():
        for section, rows in part.sections.items():
            zh, en = part.labels.get(section, (section, section))
            lines.append(f"  {name}/{section}.json  {zh} / {en}: {len(rows)}")
        if part.files:
            lines.append(f"  {name}/files/  文件 / files: {len(part.files)}")
    return "\n".join(lines) + "\n"
