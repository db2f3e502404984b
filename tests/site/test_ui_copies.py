"""The stat cards, notes and optional input groups that hot templates and Python write out
instead of calling ui.stat, ui.note and ui.section (each says by how much that saves) must stay
exactly what the macro writes. Each pattern below is the macro's own output with marked
arguments, so a markup change to ui.html fails here until every written-out copy follows it.
"""

import re
from urllib.parse import urlencode

import pytest
from django.template import engines

from .tool_fields import PAGE_SHAPES, TOOLS, slug, upper_bound_path

MARK = "\x01"  # an argument's place in the macro's output


def macro_output(call: str) -> str:
    env = engines.all()[0].env
    return env.from_string(call).render()


def pattern(output: str, holes: dict[str, str]) -> str:
    """The macro's output as a regular expression: each marked argument becomes its hole."""
    parts = re.split(f"({MARK}[A-Z])", output)
    return "".join(holes[p[1]] if p.startswith(MARK) else re.escape(p) for p in parts)


# Text between two tags of one card: anything that does not cross into another <dt> or <dd>.
CELL = r"(?:(?!</?d[td][ >]).)*?"


def stat_pattern() -> re.Pattern:
    holes = {"L": CELL, "V": CELL, "T": r'[^"]*', "D": CELL}
    calls = [
        f'{{{{ ui.stat("{MARK}L", "{MARK}V", "{MARK}T", "{MARK}D") }}}}',
        f'{{{{ ui.stat("{MARK}L", "{MARK}V", "{MARK}T") }}}}',
        f'{{{{ ui.stat("{MARK}L", "{MARK}V", detail="{MARK}D") }}}}',
        f'{{{{ ui.stat("{MARK}L", "{MARK}V") }}}}',
    ]
    return re.compile("|".join(pattern(macro_output(c), holes) for c in calls), re.S)


def note_opening() -> re.Pattern:
    """A note up to its body: the body is the caller's and may hold any markup."""
    output = macro_output(f'{{% call ui.note("{MARK}K", "{MARK}T") %}}{MARK}B{{% endcall %}}')
    opening = output.split(f"{MARK}B")[0]
    return re.compile(pattern(opening, {"K": r'[^"]*', "T": r'[^"]*'}))


class Form:
    open_sections = ("shown",)


def section_patterns() -> tuple[re.Pattern, str]:
    """A folded group's opening (open or shut, with or without a class) up to its body, and what
    closes it after the body."""
    openings = []
    for name in ("shown", "folded"):
        for cls in ("", f', class="{MARK}C"'):
            call = f'{{% call ui.section(form, "{name}", "{MARK}S"{cls}) %}}{MARK}B{{% endcall %}}'
            output = engines.all()[0].env.from_string(call).render(form=Form())
            openings.append(output.split(f"{MARK}B")[0])
    closing = output.split(f"{MARK}B")[1]
    holes = {"S": r"[^<]*", "C": r'[^"]*'}
    return re.compile("|".join(pattern(o, holes) for o in openings)), closing


def pages(client, tool) -> list[str]:
    """The page and the live fragment at the defaults and with every field at its upper bound;
    for one tool of each page shape, also each choice of each choice field (modes, options)."""
    paths = [tool.path, upper_bound_path(tool)]
    if tool in PAGE_SHAPES:
        for name, field in tool.form({}).fields.items():
            for value, _ in getattr(field, "choices", ()):
                if value != "":
                    paths.append(f"{tool.path}?{urlencode({name: value})}")
    out = []
    for path in paths:
        for headers in ({}, {"headers": {"HX-Request": "true"}}):
            response = client.get(path, **headers)
            assert response.status_code == 200, path
            out.append(response.content.decode())
    return out


def stats_blocks(html: str) -> list[str]:
    return re.findall(r'<dl class="stats[^"]*">(.*?)</dl>', html, re.S)


@pytest.mark.parametrize("tool", TOOLS, ids=slug)
def test_written_out_stat_cards_notes_and_sections_are_the_macros(client, tool):
    stat = stat_pattern()
    note = note_opening()
    opening, closing = section_patterns()
    for html in pages(client, tool):
        for block in stats_blocks(html):
            cards = block.count("<dt>")
            written = sum(m.group(0).count("<dt>") for m in stat.finditer(block))
            assert written == cards, block
        for start in [m.start() for m in re.finditer(r'<div class="note[ "]', html)]:
            assert note.match(html, start), html[start : start + 120]
        form = html[html.find("<form") : html.find("</form>")]
        for start in [m.start() for m in re.finditer("<details", form)]:
            assert opening.match(form, start), form[start : start + 120]
            end = form.index("</details>", start)
            assert form[:end].endswith(closing.removesuffix("</details>")), form[end - 60 : end]


def test_the_patterns_match_the_macros_and_nothing_else():
    # Built from marked arguments, the patterns must still match a real call's output, and stop
    # matching when the markup around the arguments changes.
    card = macro_output('{{ ui.stat("Steps", "32", "steps", "(exact)") }}')
    assert stat_pattern().fullmatch(card)
    assert not stat_pattern().fullmatch(card.replace("<dt>", '<dt class="x">'))
    note = macro_output('{% call ui.note("ok", "fits") %}<p>Fits.</p>{% endcall %}')
    assert note_opening().match(note)
    assert not note_opening().match(note.replace('class="note', 'class="notice'))
    opening, closing = section_patterns()
    call = '{% call ui.section(form, "shown", "More") %}<p>inputs</p>{% endcall %}'
    folded = engines.all()[0].env.from_string(call).render(form=Form())
    assert opening.match(folded) and folded.endswith(closing)
    assert not opening.match(folded.replace("<summary>", "<summary class='x'>"))
