"""What the browser tests share beyond conftest.py's fixtures: the phone's viewport, and waiting
for a live recompute to land."""

PHONE = {"width": 375, "height": 667}


def control(page, name: str):
    """A tool's input by its field's name (the id Django gives it), not by a label copied from
    the form: the labels themselves are the site-wide tests' (tests/site/)."""
    return page.locator(f"#id_{name}")


def count_settles(page) -> None:
    """Count htmx's afterSettle events on this page load (settled_after waits on the count)."""
    page.evaluate(
        "window.__settled = 0; document.body.addEventListener("
        "'htmx:afterSettle', () => { window.__settled += 1; })"
    )


def settled_after(page, action, name: str | None = None, value: str = "") -> None:
    """Do `action` and wait until the recompute it starts has been swapped in and settled, and
    no request is pending: a later click never lands on a result being replaced. With `name`,
    also until the address holds `value` for it (htmx replaces the address after the swap; a
    blank optional value leaves it). count_settles must have run on this page load."""
    if page.evaluate("typeof window.__settled") != "number":
        count_settles(page)
    before = page.evaluate("window.__settled")
    action()
    page.wait_for_function(
        """([before, name, value]) => window.__settled > before
            && (name === null
                || (new URLSearchParams(location.search).get(name) ?? '') === value)
            && !document.querySelector('.htmx-request')""",
        arg=[before, name, value],
        timeout=10_000,
    )
