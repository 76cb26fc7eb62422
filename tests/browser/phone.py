"""What a phone user sees, as assertions: nothing off-screen, no sideways scroll, tap targets of
44 px; and screenshots for the engineer to look at (var/shots/)."""

from __future__ import annotations

import os
from pathlib import Path

SHOTS = Path(os.environ.get("PORTAL_SHOTS_DIR", Path(__file__).resolve().parents[2] / "var/shots"))
WIDE = {"width": 1366, "height": 800}
MIN_TAP = 44


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_horizontal_scroll(page) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll > client:
        wide = page.evaluate(
            """(width) => Array.from(document.querySelectorAll('body *'))
                .filter((el) => el.getBoundingClientRect().right > width + 1)
                .slice(0, 5)
                .map((el) => el.tagName + '.' + el.className + ' ' + (el.name || ''))""",
            client,
        )
        raise AssertionError(f"the page scrolls sideways: {scroll} px wide in {client} px: {wide}")


def boxes(locator) -> list[dict]:
    return [locator.nth(i).bounding_box() for i in range(locator.count())]


def assert_inside_viewport(page, locator) -> None:
    width = page.viewport_size["width"]
    assert locator.count() > 0, "nothing to check"
    for i, box in enumerate(boxes(locator)):
        assert box is not None, f"element {i} is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
            f"element {i} lies outside the {width} px screen: {box}"
        )


def assert_tap_targets(locator) -> None:
    for i, box in enumerate(boxes(locator)):
        assert box is not None, f"tap target {i} is not shown"
        big_enough = min(box["height"], box["width"]) >= MIN_TAP - 0.5
        assert big_enough, f"tap target {i} is smaller than {MIN_TAP} px: {box}"


def assert_not_clipped(page, selector: str) -> None:
    """Every element's content fits its own box and no ancestor cuts it off sideways."""
    clipped = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).filter((el) => {
            if (el.scrollWidth > el.clientWidth + 1) return true;
            const box = el.getBoundingClientRect();
            for (let p = el.parentElement; p; p = p.parentElement) {
                const style = getComputedStyle(p);
                if (style.overflowX !== 'visible') {
                    const outer = p.getBoundingClientRect();
                    if (box.left < outer.left - 1 || box.right > outer.right + 1) return true;
                }
            }
            return box.right > document.documentElement.clientWidth + 1 || box.left < -1;
        }).map((el) => el.textContent.trim())""",
        selector,
    )
    assert not clipped, f"cut off: {clipped}"
