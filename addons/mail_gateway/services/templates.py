"""Mail templates per language: Jinja files an addon ships.

An addon keeps them in a folder of its own, one file per mail and language,
`<folder>/<name>.<language>.txt` (`invoice_sent.zh-CN.txt`,
`invoice_sent.en.txt`), each with two blocks:

    {% block subject %}发票 {{ invoice.number }} 已开具{% endblock %}
    {% block text %}{{ contact.name }}，您好：
    ...{% endblock %}

`render(folder, "invoice_sent", "zh-CN", invoice=..., contact=...)` renders
the recipient's language, else its base language ("zh" for "zh-CN"), else
English, and says which one it used (for `OutgoingMail.language`). Values
are plain text (no HTML escaping); an undefined value is an error, not an
empty string, so a typo does not reach a customer.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

FALLBACK = "en"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    language: str


@cache
def _environment(folder: str) -> Environment:
    return Environment(loader=FileSystemLoader(folder), undefined=StrictUndefined,
                       keep_trailing_newline=True, autoescape=False)


def languages_for(language: str | None) -> list[str]:
    """"zh-CN" -> ["zh-CN", "zh", "en"]: the tries, in order."""
    tries = []
    for candidate in (language, (language or "").replace("_", "-").split("-")[0], FALLBACK):
        if candidate and candidate not in tries:
            tries.append(candidate)
    return tries


def render(folder: str | Path, name: str, language: str | None, /, **values) -> Rendered:
    environment = _environment(str(folder))
    for candidate in languages_for(language):
        try:
            template = environment.get_template(f"{name}.{candidate}.txt")
        except TemplateNotFound:
            continue
        context = template.new_context(values)
        subject = "".join(template.blocks["subject"](context))
        text = "".join(template.blocks["text"](context))
        return Rendered(" ".join(subject.split()), text, candidate)
    raise TemplateNotFound(f"{name}.{{{','.join(languages_for(language))}}}.txt in {folder}")
