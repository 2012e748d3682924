"""A Site -> the charts of /stats/: posts per year and per month, top tags and sources, link posts and own posts.

Each chart is data (bars, each a label and a count) and its SVG, drawn at build time with every value escaped.
The SVG names no colour: the stylesheet colours it (currentColor and the theme's custom properties), so it
follows dark mode. Months are counted back from the newest post, never from the clock, so a build is reproducible.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from linkblog.index import HOME, Site
from linkblog.model import PageKind, Tally
from linkblog.urls import name_order

TOP = 10  # how many tags and sources the top charts show
MONTHS = 24  # the last two years, up to the newest post's month
WIDTH = 480  # user units across every chart; the stylesheet scales it to the column
ROW, LABEL_END, BAR_START, COUNT_ROOM = 28, 180, 188, 44  # a row chart: label, then bar, then its count
# A label's room, in ems of the stylesheet's 14-unit chart text: longer labels are cut in the SVG (the list below it
# has them whole). Fonts are not measured at build time, so each character counts as wide as it is in a wide sans
# serif (DejaVu Sans, Verdana): a label cut to the room fits whichever font the reader's browser picks.
LABEL_ROOM = (LABEL_END - 4) / 14  # 4 units clear of the chart's left edge
NARROW, WIDE = frozenset("fijlrtI!'\".,:;|()[]/- "), frozenset("mwMW@%&…—")
JOINING = "\u200d\ufe0e\ufe0f"  # the zero-width joiner of emoji sequences, the text and emoji variation selectors
# Drawn with the character before them: skin tones (👍🏽), the tags of a subdivision's flag (🏴 England), the vowels
# and finals of Hangul spelled as jamo (as macOS may spell Korean).
ATTACHED = ((0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F), (0x1160, 0x11FF), (0xD7B0, 0xD7FF))
REGIONAL_INDICATORS = "".join(map(chr, range(0x1F1E6, 0x1F200)))  # two of them make a flag
PLOT_TOP, PLOT_BOTTOM, COLUMNS_HEIGHT = 18, 140, 178  # a column chart: counts above bars, two label lines below


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its id on the page, its heading, a sentence for screen readers, its bars and its SVG."""

    id: str
    title: str
    description: str
    bars: tuple[Tally, ...]
    svg: Markup


def charts(site: Site) -> list[Chart]:
    """Every chart of the stats page that has bars; none for a site without posts."""
    if not site.lists.get(HOME):
        return []
    made = [row_chart("years", "Posts per year", year_bars(site)),
            month_chart(site),
            row_chart("tags", f"Top {TOP} tags", top_bars(site, PageKind.TAG)),
            row_chart("sources", f"Top {TOP} sources", top_bars(site, PageKind.SOURCE)),
            row_chart("kinds", "Link posts and own posts", kind_bars(site))]
    return [chart for chart in made if chart]


def year_bars(site: Site) -> list[Tally]:
    """Every year from the first post's to the newest's, oldest first: a year without posts is a bar of 0 (with
    no page to link), so that gaps show."""
    groups = {group.slug: group for group in site.groups(PageKind.YEAR)}
    if not groups:
        return []
    first, last = (int(slug) for slug in (min(groups), max(groups)))
    return [Tally(group.name, len(group.posts), group.url) if (group := groups.get(f"{year:04d}")) else
            Tally(f"{year:04d}", 0) for year in range(first, last + 1)]


def last_months(site: Site) -> list[tuple[int, int]]:
    """(year, month) of the MONTHS months up to the newest post's, oldest first; none before the year 1."""
    newest = site.records[site.lists[HOME][-1][2]].date
    at = newest.year * 12 + newest.month - 1
    return [divmod(n, 12) for n in range(max(at - MONTHS + 1, 12), at + 1)]


def month_bars(site: Site, months: list[tuple[int, int]]) -> list[Tally]:
    """Each of the months with its count; a month without posts has no page to link."""
    bars = []
    for year, index in months:
        key = (PageKind.MONTH, f"{year:04d}/{index + 1:02d}")
        count = len(site.lists.get(key, ()))
        bars.append(Tally(f"{datetime(year, index + 1, 1):%b %Y}", count, site.group_url(key) if count else None))
    return bars


def top_bars(site: Site, kind: PageKind) -> list[Tally]:
    """The TOP tags or sources with the most posts; ties in name order."""
    groups = sorted(site.groups(kind), key=lambda g: (-len(g.posts), *name_order(g.name), g.slug))
    return [Tally(group.name, len(group.posts), group.url) for group in groups[:TOP]]


def kind_bars(site: Site) -> list[Tally]:
    """How many posts link an article elsewhere and how many are the author's own."""
    linking = sum(len(keys) for keys in site.links.values())
    return [Tally("Link posts", linking), Tally("Own posts", len(site.lists[HOME]) - linking)]


def summary(title: str, bars: list[Tally]) -> str:
    """A sentence saying what a chart shows at a glance, for its SVG's <desc>."""
    most = max(bar.count for bar in bars)
    tops = [bar.label for bar in bars if bar.count == most]  # every bar of the longest, as ties are common
    named = ", ".join(tops[:3]) + (", …" if len(tops) > 3 else "")
    return (f"{title}: {len(bars)} bar{'' if len(bars) == 1 else 's'}, the longest {posts(most)} ({named}). "
            "The numbers are listed below the chart.")


def posts(count: int) -> str:
    return f"{count} post{'' if count == 1 else 's'}"


def row_chart(chart_id: str, title: str, bars: list[Tally]) -> Chart | None:
    """A horizontal bar chart: a label, a bar and its count on each row; none without bars."""
    if not bars:
        return None
    most = max(bar.count for bar in bars) or 1
    rows = [row(at, bar, length(bar.count, most, WIDTH - BAR_START - COUNT_ROOM)) for at, bar in enumerate(bars)]
    description = summary(title, bars)
    height = len(bars) * ROW + 4
    return Chart(chart_id, title, description, tuple(bars), svg(chart_id, title, description, height, rows))


def row(at: int, bar: Tally, width: float) -> Markup:
    top = at * ROW
    label = cut(bar.label)
    # A cut label's whole name shows as its row's tooltip, to those pointing at the chart.
    whole = Markup("<title>{}</title>").format(bar.label) if label != bar.label else ""
    return Markup('<g class="row">{}<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
                  '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>'
                  '<text class="count" x="{}" y="{}">{}</text></g>').format(
        whole, LABEL_END, top + 19, label, BAR_START, top + 5, width, ROW - 8, BAR_START + width + 6, top + 19,
        bar.count)


def month_chart(site: Site) -> Chart:
    """A column per month of the last two years, months named every quarter and years at each January."""
    months = last_months(site)
    bars = month_bars(site, months)
    title = "Posts per month, the last two years"
    most = max(bar.count for bar in bars) or 1
    columns = [column(at, month, bar, most) for at, (month, bar) in enumerate(zip(months, bars, strict=True))]
    axis = Markup('<line class="axis" x1="0" y1="{0}" x2="{1}" y2="{0}"/>').format(PLOT_BOTTOM, WIDTH)
    description = summary(title, bars)
    return Chart("months", title, description, tuple(bars),
                 svg("months", title, description, COLUMNS_HEIGHT, [*columns, axis]))


def column(at: int, month: tuple[int, int], bar: Tally, most: int) -> Markup:
    """One month's column: its bar and count (if it has posts), its name each quarter, its year each January."""
    year, index = month
    step = WIDTH / MONTHS
    middle = round(at * step + step / 2, 1)
    parts = []
    if bar.count:
        height = length(bar.count, most, PLOT_BOTTOM - PLOT_TOP)
        parts += [Markup('<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>').format(
                      round(at * step + step * 0.15, 1), round(PLOT_BOTTOM - height, 1), round(step * 0.7, 1), height),
                  Markup('<text class="count" x="{}" y="{}" text-anchor="middle">{}</text>').format(
                      middle, round(PLOT_BOTTOM - height - 4, 1), bar.count)]
    # Labels under the first column start at its left edge, and under the last end at its right, so as not to be
    # cut off at the chart's edges.
    left, right = round(at * step + step * 0.15, 1), round((at + 1) * step - step * 0.15, 1)
    if index % 3 == 0:  # centred under the column
        x, anchor = (left, "start") if at == 0 else (right, "end") if at == MONTHS - 1 else (middle, "middle")
        parts.append(Markup('<text class="label" x="{}" y="{}" text-anchor="{}">{}</text>').format(
            x, PLOT_BOTTOM + 16, anchor, f"{datetime(year, index + 1, 1):%b}"))
    if index == 0 or at == 0:  # from the column's left edge
        x, anchor = (right, "end") if at == MONTHS - 1 else (left, "start")
        parts.append(Markup('<text class="label year" x="{}" y="{}" text-anchor="{}">{}</text>').format(
            x, PLOT_BOTTOM + 32, anchor, year))
    return Markup('<g class="column">{}</g>').format(Markup("").join(parts))


def length(count: int, most: int, span: float) -> float:
    """A bar's length for a count, the longest bar filling the span; a bar with posts is never invisible."""
    return max(2.0, round(count / most * span, 1)) if count else 0.0


def ems(char: str) -> float:
    """A character's width in ems, at least as wide as in a wide sans serif; CJK characters are a whole em, symbols
    and emoji more, and marks and joiners, drawn on or with the character before them, nothing."""
    category = unicodedata.category(char)
    if category[0] == "M" or char in JOINING or any(low <= ord(char) <= high for low, high in ATTACHED):
        return 0.0
    if category[0] == "S" and not char.isascii():  # ☺, ★, emoji
        return 1.1
    if char in WIDE or unicodedata.east_asian_width(char) in "WF" or (char.isupper() and not char.isascii()):
        return 1.0  # Ж, Ш, Ю are wider than Latin capitals
    if char in NARROW:
        return 0.42
    return 0.8 if char.isupper() else 0.65


def cut(label: str) -> str:
    """The label, or as much of it as fits LABEL_ROOM with an ellipsis after it, never parting a character from the
    marks and joiners that make one with it (é, 👩‍👩‍👧, 🇳🇱)."""
    if sum(map(ems, label)) <= LABEL_ROOM:
        return label
    used, end = ems("…"), 0
    while used + ems(label[end]) <= LABEL_ROOM:
        used += ems(label[end])
        end += 1
    while end and (ems(label[end]) == 0 or label[end - 1] in JOINING or paired_flag_half(label, end)):
        end -= 1
    return label[:end].rstrip() + "…"


def paired_flag_half(label: str, end: int) -> bool:
    """True when the text before `end` ends with the first of a flag's two regional indicator letters."""
    run = len(label[:end]) - len(label[:end].rstrip(REGIONAL_INDICATORS))
    return run % 2 == 1


def svg(chart_id: str, title: str, description: str, height: int, shapes: list[Markup]) -> Markup:
    """An accessible SVG image: named by its <title>, described by its <desc>."""
    return Markup('<svg class="chart-image" role="img" aria-labelledby="{0}-title {0}-desc" viewBox="0 0 {1} {2}" '
                  'xmlns="http://www.w3.org/2000/svg"><title id="{0}-title">{3}</title>'
                  '<desc id="{0}-desc">{4}</desc>{5}</svg>').format(
        chart_id, WIDTH, height, title, description, Markup("").join(shapes))
