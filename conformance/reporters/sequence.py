"""A check's sequence picture as inline SVG text: a lifeline per participant, an arrow per Step.

Laid out here, without a browser to measure text: labels are monospace, so a character's width
is known, and a label too long for its arrow is cut with an ellipsis (the full text is the
arrow's tooltip). No ids and no markers, so that many pictures can share one HTML page.
"""

from html import escape

CHAR = 7          # px per character of 11.5 px monospace
MARGIN = 16
HEAD_H = 28
ROW = 36          # vertical distance between arrows
GAP_MIN, GAP_MAX = 180, 360
LOOP = 28         # how far a self-call's loop reaches to the right
OK, BAD, LINE = "#1f2937", "#c0392b", "#9ca3af"
MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"
SANS = "system-ui,-apple-system,Segoe UI,Roboto,sans-serif"


def participants(steps):
    """The names in the order they first appear (source before target)."""
    return list(dict.fromkeys(name for step in steps for name in (step.source, step.target)))


def _caption(step):
    return f"{step.label} · {step.outcome}" if step.outcome else step.label


def _fit(text, width):
    room = max(int(width // CHAR), 4)
    return text if len(text) <= room else text[:room - 1] + "…"


def _layout(steps, names):
    head_w = max(100, max(len(name) for name in names) * 8 + 24)
    column = {name: i for i, name in enumerate(names)}
    # A caption only needs its own arrow's length, which spans one or more gaps.
    needed = max((len(_caption(step)) * CHAR + 28) / max(abs(column[step.target] - column[step.source]), 1)
                 for step in steps)
    gap = int(min(max(needed, GAP_MIN, head_w + 20), GAP_MAX))
    xs = {name: MARGIN + 24 + head_w // 2 + i * gap for i, name in enumerate(names)}
    return head_w, gap, xs


def _heads(names, xs, head_w, bottom):
    parts = []
    for name in names:
        x = xs[name]
        parts.append(f'<line x1="{x}" y1="{MARGIN + HEAD_H}" x2="{x}" y2="{bottom}" stroke="{LINE}" '
                     f'stroke-dasharray="4 4"/>')
        parts.append(f'<rect x="{x - head_w // 2}" y="{MARGIN}" width="{head_w}" height="{HEAD_H}" rx="6" '
                     f'fill="#f3f4f6" stroke="{LINE}"/>')
        parts.append(f'<text x="{x}" y="{MARGIN + 18}" text-anchor="middle" font-family="{SANS}" '
                     f'font-size="13" font-weight="600" fill="{OK}">{escape(name)}</text>')
    return parts


def _arrow(number, step, xs, gap, y):
    """One step: its line (a loop when it calls itself), its head, its number and its caption."""
    colour = OK if step.ok else BAD
    x1, x2 = xs[step.source], xs[step.target]
    if x1 == x2:
        shape = (f'<path d="M{x1} {y} H{x1 + LOOP} V{y + 10} H{x1 + 8}" fill="none" stroke="{colour}" '
                 f'stroke-width="1.5"/>')
        tip, direction, text_x, room = (x1, y + 10), -1, x1 + LOOP + 6, gap - LOOP - 12
    else:
        shape = f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="1.5"/>'
        tip, direction, text_x, room = (x2, y), 1 if x2 > x1 else -1, min(x1, x2) + 8, abs(x2 - x1) - 16
    tx, ty = tip
    head = (f'<polygon points="{tx},{ty} {tx - 9 * direction},{ty - 4} {tx - 9 * direction},{ty + 4}" '
            f'fill="{colour}"/>')
    caption = _caption(step)
    shown = _fit(caption, room)
    weight = "" if step.ok else ' font-weight="600"'
    return (f'<g class="step {"ok" if step.ok else "bad"}"><title>{escape(f"{number}. {caption}")}</title>'
            f'{shape}{head}'
            f'<text x="{MARGIN}" y="{y + 4}" font-family="{SANS}" font-size="11" fill="{LINE}">{number}</text>'
            f'<text x="{text_x}" y="{y - 6}" font-family="{MONO}" font-size="11.5" fill="{colour}"{weight}>'
            f'{escape(shown)}</text></g>')


def sequence_svg(steps, title="Sequence of the check"):
    """SVG markup (escaped, safe to inline in HTML) for ``steps``; "" when there are none."""
    if not steps:
        return ""
    names = participants(steps)
    head_w, gap, xs = _layout(steps, names)
    first_y = MARGIN + HEAD_H + 30
    bottom = first_y + ROW * (len(steps) - 1) + 22
    loops = any(step.source == step.target for step in steps)  # a self-call's caption runs right of its line
    width = max(xs.values()) + max(head_w // 2, gap if loops else 0) + MARGIN
    height = bottom + MARGIN
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    parts += _heads(names, xs, head_w, bottom)
    parts += [_arrow(i, step, xs, gap, first_y + ROW * (i - 1)) for i, step in enumerate(steps, 1)]
    parts.append("</svg>")
    return "\n".join(parts)
