"""The GPU pages' tables with a row for every model of the catalog (and the cards' specs rows),
written in Python because a benchmark says so: the live result runs on each keystroke, and
these loops were most of its template's time. Every text from the catalogs or the request goes
through the kit's one escaping helper; numbers come from the kit's formatters. The pages and
fragments they replaced were byte for byte the same (/gpus/ and all 19 card pages, seven
scenarios, as page and fragment).

Measured in one process (best of 7 × 50, the old Jinja2 loop against the function, same run,
on the shared two-core machine under heavy load, so the ratios are the figures):
- /gpus/'s fit matrix, 36 models × 19 cards, 684 cells: 31.4 ms against 3.6 ms;
- a card page's table of every model, 36 rows of eleven cells: 9.6 ms against 1.1 ms;
- the cards' specs rows: 0.60 ms against 0.05 ms.
The lists of cards that link each card page with the scenario (/gpus/'s counts and column
headings, a card page's links to the others) followed: in the template every card cost five
escapes and as many lookups, 1.1M instructions of /gpus/'s fragment (callgrind: 10.07M a request
against 8.94M), and each address's query is escaped once for all the cards (card_links).
"""

from calculators.catalog.memory import GIB
from calculators.catalog.models import BY_ID
from calculators.kit import registry
from calculators.kit.html import Markup, escape
from calculators.kit.numbers import MINUS, gib, human, tokens

from . import once
from .cards import CARDS, tool_slug
from .engine import QUANT_BY_ID, Matrix

# A format's label as the page prints it (the quant_label filter's "none" for no format).
QUANT_LABELS = {q: escape(f.label) for q, f in QUANT_BY_ID.items()} | {None: "none"}


def matrix_rows(matrix: Matrix) -> Markup:
    """The rows of /gpus/'s table: a model, then one cell per card in the matrix's order.

    Only the numbers are written per request. What names a model and a card (the row's
    heading, each cell's opening tag with its testid) is the catalog's, written once per
    process (_matrix_head); cards of one VRAM size share a model's cell (fit_matrix), so a
    cell's text is written once per size (callgrind, the default scenario: 6.10M instructions
    against 3.19M)."""
    slugs = tuple([c.slug for c in matrix.cards])
    html = []
    add = html.append
    for m in matrix.rows:
        opening, cell_openings = _matrix_head(m, slugs)
        add(opening)
        add(_gib(m.total_bytes))
        add("</span></th>" if m.kv_cache_counted else " without KV cache</span></th>")
        written = {}  # a cell (fits, headroom, best) -> what follows its opening tag
        for cell_opening, cell in zip(cell_openings, m.cells, strict=True):
            text = written.get(cell)
            if text is None:
                fits, headroom, best = cell
                best = _BEST_TEXT[best]
                text = written[cell] = (
                    f'{_gib(headroom)} free<br><span class="muted">{best}</span></td>'
                    if fits
                    else f'{_gib(-headroom)} over<br><span class="muted">{best}</span></td>'
                )
            add(cell_opening[cell[0]])
            add(text)
        add("</tr>")
    return Markup("".join(html))


_BEST_TEXT = {q: f"best: {label}" for q, label in QUANT_LABELS.items() if q} | {
    None: "no format fits"
}
_MATRIX_HEADS: dict[str, tuple] = {}


def _matrix_head(m, slugs: tuple[str, ...]) -> tuple[str, list[tuple[str, str]]]:
    """A /gpus/ row's opening up to its total, and each card's cell opening (if it does not
    fit, if it does): the catalog's once per process, the user's own model every time."""
    key = (m.id, m.name, m.params, slugs)
    head = _MATRIX_HEADS.get(m.id)
    if head is not None and head[0] == key:
        return head[1]
    model_id = escape(m.id)
    opening = (
        f'<tr data-testid="row-{model_id}"><th scope="row">{escape(m.name)}<br>'
        f'<span class="muted">{escape(human(m.params))}, needs '
    )
    # The testid before the class, for gzip: a cell's start (`<td data-testid="cell-` and the
    # row's model) then repeats the cell before it whatever either's verdict, and the card's
    # part runs on into the verdict as in the row above. The same cells, 2.7 % less to send
    # (the default fragment, gzipped as sent: 7,654 bytes against 7,870).
    cells = [
        (
            f'<td data-testid="cell-{model_id}-{escape(slug)}" class="fit-no">no, ',
            f'<td data-testid="cell-{model_id}-{escape(slug)}" class="fit-yes">yes, ',
        )
        for slug in slugs
    ]
    if m.id in BY_ID:  # bounded by the catalog: never a request's own values
        _MATRIX_HEADS[m.id] = (key, (opening, cells))
    return opening, cells


def _whole(value: float) -> str:
    """The kit's fixed(value, 0), without building its format spec on each call: the model
    table writes two a row (callgrind: 72 calls, about 0.16M instructions a request fewer).
    Decode speeds are positive and mostly under a thousand, with no separator or minus to
    write: "%" alone there."""
    if 0.0 < value < 999.5:  # rounds to at most 999 (half to even, as the format spec)
        return "%.0f" % value  # noqa: UP031 (measured: cheaper than the f-string)
    return f"{value:,.0f}".replace("-", MINUS)


def _gib(nbytes) -> str:
    """The kit's gib, with "%" rather than the format spec's thousands separator below 1,000
    GiB, where it has none to insert: a card page's table writes about 200 a request
    (callgrind: 4.3K instructions a call against 3.1K)."""
    value = nbytes / GIB
    if -999.99 < value < 999.99:  # rounds to at most 999.99: three integer digits
        return "%.2f GiB" % value  # noqa: UP031 (measured: cheaper than the f-string)
    return gib(nbytes)


_WEIGHTS_TEXT: dict[tuple[str, int], str] = {}


def _weights_text(m) -> str:
    """A catalog model's weights in VRAM, as text: a model's weights depend on the format alone
    (eight of them), so each is written once per process; the user's own model every time."""
    key = (m.id, m.weights_bytes)
    text = _WEIGHTS_TEXT.get(key)
    if text is None:
        text = _gib(m.weights_bytes)
        if m.id in BY_ID:  # bounded by the catalog: never a request's own values
            _WEIGHTS_TEXT[key] = text
    return text


_ROW_HEADS: dict[str, tuple] = {}
_CURRENT = ' class="current"'


def _row_head(m) -> tuple:
    """What a model's row says whatever the scenario: its opening tag (to its class), the cells
    that name it (name, parameters), and the openings of its verdict cells, each (if no, if
    yes): fits, LoRA, QLoRA. The catalog's once per process (its ids, names and counts are
    release data), the user's own model every time."""
    key = (m.id, m.name, m.params, m.active_params, m.is_moe)
    head = _ROW_HEADS.get(m.id)
    if head is not None and head[0] == key:
        return head[1]
    model_id = escape(m.id)
    params = escape(human(m.params))
    if m.is_moe:
        params += f' <span class="muted">({escape(human(m.active_params))} active)</span>'
    built = (
        f'<tr data-testid="row-{model_id}"',
        f'><th scope="row">{escape(m.name)}</th><td>{params}</td>',
        tuple(f'<td class="fit-{v}" data-testid="fits-{model_id}">{v}, ' for v in ("no", "yes")),
        tuple(
            f'<td class="fit-{v}" data-testid="lora-{model_id}">{v}, needs ' for v in ("no", "yes")
        ),
        tuple(
            f'</td><td class="fit-{v}" data-testid="qlora-{model_id}">{v}, needs '
            for v in ("no", "yes")
        ),
    )
    if m.id in BY_ID:  # bounded by the catalog: never a request's own values
        _ROW_HEADS[m.id] = (key, built)
    return built


def model_rows(models, fine_tune_totals: dict, card, current_id: str) -> Markup:
    """A card page's row for every model: `models` the card's fits, `fine_tune_totals` each
    model's (LoRA, QLoRA) total bytes on one card (None without an architecture), `current_id`
    the worked example's model, highlighted. The numbers are written by the kit's formatters
    (digits, separators, a unit), which print no character HTML escapes. Each row is one
    string, its fixed parts from _row_head (callgrind, the default scenario: 2.05M
    instructions a request with the verdict cells' openings written per row, 1.73M)."""
    vram = card.vram_bytes
    html = []
    add = html.append
    for m in models:
        opening, named, fits, lora, qlora = _row_head(m)
        if m.fits:
            fits = f"{fits[1]}{_gib(m.headroom_bytes)} free</td>"
        else:
            fits = f"{fits[0]}{_gib(-m.headroom_bytes)} over</td>"
        if not m.kv_cache_counted:
            kv = context = "—"
        else:
            kv = _gib(m.kv_cache_bytes)
            context = tokens(m.max_context) if m.max_context else "none"
        if m.beyond_model_context:
            context += f' <span class="muted">(model: {tokens(m.model_max_context)})</span>'
        if m.runs:
            decode = f"{_whole(m.decode_tokens_per_s_low)}–{_whole(m.decode_tokens_per_s_high)}"
            if not m.fits:
                where = (
                    "experts in RAM"
                    if m.offload == "experts"
                    else f"{m.gpu_layers}/{m.layers} layers"
                )
                decode += f' <span class="muted">({where})</span>'
        else:
            decode = "—"
        totals = fine_tune_totals.get(m.id)
        if totals is None:
            tuning = "<td>—</td><td>—</td></tr>"
        else:
            lo, q = totals
            tuning = f"{lora[lo <= vram]}{_gib(lo)}{qlora[q <= vram]}{_gib(q)}</td></tr>"
        add(
            f"{opening}{_CURRENT if m.id == current_id else ''}{named}"
            f"<td>{_weights_text(m)}</td><td>{kv}</td><td>{_gib(m.total_bytes)}</td>{fits}"
            f"<td>{context}</td><td>{QUANT_LABELS[m.best_quant]}</td><td>{decode}</td>{tuning}"
        )
    return Markup("".join(html))


def card_links(query: str) -> dict[str, str]:
    """Each card page's address with this scenario's query (forms.card_href), escaped for an
    attribute: the registry's paths once per process, the query once per request (escaping
    is character by character, so the pieces escape as the whole would). The pages link every
    card two or three times, and escaping each address each time cost more than its text."""
    escaped = f"?{escape(query)}" if query else ""
    return {slug: f"{path}{escaped}" for slug, path in _escaped_paths().items()}


_ESCAPED_PATHS: dict[str, str] = {}


def _escaped_paths() -> dict[str, str]:
    if not _ESCAPED_PATHS:
        for c in CARDS:
            _ESCAPED_PATHS[c.slug] = escape(registry.get(tool_slug(c.slug)).path)
    return _ESCAPED_PATHS


def fit_count_items(matrix: Matrix, links: dict[str, str]) -> Markup:
    """/gpus/'s list of how many models fit each card, each card linked with the scenario."""
    total = len(matrix.rows)
    return Markup(
        "".join(
            f'<li><a href="{links[c.slug]}">{name}</a>: <strong data-testid="fitting-{slug}">'
            f"{n}</strong> of {total}</li>"
            for c, (name, slug), n in zip(
                matrix.cards, _card_names(matrix.cards), matrix.fitting, strict=True
            )
        )
    )


def matrix_head(matrix: Matrix, links: dict[str, str]) -> Markup:
    """/gpus/'s column headings: each card linked with the scenario."""
    return Markup(
        "".join(
            f'<th scope="col"><a href="{links[c.slug]}">{name}</a></th>'
            for c, (name, _) in zip(matrix.cards, _card_names(matrix.cards), strict=True)
        )
    )


def other_card_links(links: dict[str, str], current_slug: str) -> Markup:
    """A card page's links to the same scenario on every other card, each followed by ", "."""
    return Markup(
        "".join(
            f'<a href="{links[c.slug]}" data-testid="card-link-{slug}">{name}</a>, '
            for c, (name, slug) in zip(CARDS, _card_names(CARDS), strict=True)
            if c.slug != current_slug
        )
    )


_CARD_NAMES: dict[tuple, tuple[tuple[str, str], ...]] = {}


def _card_names(cards) -> tuple[tuple[str, str], ...]:
    """Each card's short name and slug, escaped: catalog data, once per process."""
    key = tuple([(c.slug, c.short_name) for c in cards])
    names = _CARD_NAMES.get(key)
    if names is None:
        names = _CARD_NAMES[key] = tuple((escape(name), escape(slug)) for slug, name in key)
    return names


def card_spec_rows(links: dict[str, str], current_slug: str) -> Markup:
    """The rows of the cards' specs table (both pages): each card's name links to its page with
    this scenario (`links`, escaped: card_links); its other cells depend on nothing in the
    request (once.card_spec_cells)."""
    html = []
    for c, (name, _) in zip(CARDS, _card_names(CARDS), strict=True):
        current = ' class="current"' if c.slug == current_slug else ""
        html.append(
            f'\n    <tr{current}>\n      <th scope="row"><a href="{links[c.slug]}">'
            f"{name}</a></th>\n{once.card_spec_cells(c.slug)}\n    </tr>\n  "
        )
    return Markup("".join(html))
