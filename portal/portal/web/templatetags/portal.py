"""Template helpers: times in the display zone, status tags, the current nav item."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from portal.web import timefmt

register = template.Library()

PATIENT_STATUS = {
    ("upcoming", None): ("Upcoming", "upcoming"),
    ("completed", "completed"): ("Completed", "completed"),
    ("completed", None): ("Completed", "completed"),
    ("completed", "no_show"): ("Missed", "missed"),
    ("cancelled", None): ("Cancelled", "cancelled"),
}


def _zone(context) -> str:
    return context.get("display_zone") or "UTC"


@register.simple_tag(takes_context=True)
def local_date(context, value: datetime.datetime, year: bool = True) -> str:
    """Monday 7 December 2026, in the page's time zone."""
    return timefmt.date_label(timefmt.local(value, _zone(context)), year=year)


@register.simple_tag(takes_context=True)
def local_time(context, value: datetime.datetime) -> str:
    return timefmt.time_label(timefmt.local(value, _zone(context)))


@register.simple_tag(takes_context=True)
def local_range(context, start: datetime.datetime, end: datetime.datetime) -> str:
    """9am to 9:30am, in the page's time zone."""
    zone = _zone(context)
    return timefmt.range_label(timefmt.local(start, zone), timefmt.local(end, zone))


@register.simple_tag(takes_context=True)
def local_zone(context, at: datetime.datetime) -> str:
    """Paris time (UTC+1), the page's zone at ``at``."""
    return timefmt.zone_label(_zone(context), at)


@register.simple_tag
def zone_label(name: str, at: datetime.date | datetime.datetime) -> str:
    if not isinstance(at, datetime.datetime):
        at = datetime.datetime.combine(at, datetime.time(12), tzinfo=timefmt.UTC)
    return timefmt.zone_label(name, at)


@register.simple_tag(takes_context=True)
def time_with_zones(context, start: datetime.datetime, end: datetime.datetime) -> str:
    """9am to 9:30am, the page's zone under it, and the clinic's time when its offset differs."""
    zone = _zone(context)
    clinic = context.get("clinic_zone") or zone
    html = format_html(
        '{}<br><span class="muted">{}</span>',
        timefmt.range_label(timefmt.local(start, zone), timefmt.local(end, zone)),
        timefmt.zone_label(zone, start),
    )
    if timefmt.local(start, clinic).utcoffset() != timefmt.local(start, zone).utcoffset():
        moment = timefmt.local(start, clinic)
        html += format_html(
            '<br><span class="muted">At the clinic: {} on {}, {}</span>',
            timefmt.time_label(moment),
            timefmt.date_label(moment, year=False),
            timefmt.zone_label(clinic, start),
        )
    return html


@register.simple_tag(takes_context=True)
def status_tag(context, appointment) -> str:
    """A tag with words: Upcoming, Completed, Missed (No-show for doctors), Cancelled."""
    person = context.get("person")
    outcome = appointment.outcome if appointment.status == "completed" else None
    label, kind = PATIENT_STATUS.get(
        (appointment.status, outcome), (appointment.status, "upcoming")
    )
    if kind == "missed" and person is not None and person.is_doctor:
        label = "No-show"
    if appointment.status == "cancelled" and appointment.late_cancellation:
        label = "Cancelled late"
    return format_html('<strong class="tag tag--{}">{}</strong>', kind, label)


# Stands in for a slot id in a reversed URL (see slot_url).
_SLOT_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@lru_cache(maxsize=64)
def _slot_url_pattern(name: str, arg: str | None) -> str:
    return reverse(name, args=[arg, _SLOT_PLACEHOLDER] if arg else [_SLOT_PLACEHOLDER])


@register.simple_tag
def slot_url(name: str, slot, arg=None) -> str:
    """The link of a time tile: ``name`` with the slot id (after ``arg`` when given).

    A week has up to hundreds of tiles: the URL is reversed once per link kind
    and the id put in its place.
    """
    pattern = _slot_url_pattern(name, str(arg) if arg else None)
    return pattern.replace(_SLOT_PLACEHOLDER, str(slot.id))


@register.simple_tag
def time_tiles(tiles, day_label: str, link_name: str = "", link_arg=None) -> str:
    """The ``<li>`` of each time tile: a link to ``link_name``, or plain text with its note.

    Rendered here rather than in the template: a week has hundreds of tiles,
    and a template loop costs several lookups per tile.
    """
    hidden = format_html('<span class="vh">, {}</span>', day_label)
    items = []
    for tile in tiles:
        if tile.note or not link_name:
            note = format_html('<span class="slot__note">{}</span>', tile.note) if tile.note else ""
            noted = " slot--noted" if tile.note else ""
            items.append(
                format_html(
                    '<li><span class="slot slot--static{}">{}{}{}</span></li>',
                    noted,
                    tile.label,
                    note,
                    hidden,
                )
            )
        else:
            url = slot_url(link_name, tile.slot, link_arg)
            items.append(
                format_html('<li><a class="slot" href="{}">{}{}</a></li>', url, tile.label, hidden)
            )
    return mark_safe("".join(items))  # noqa: S308 - every part went through format_html


@register.simple_tag
def nav_current(request, names: str) -> str:
    """` aria-current="page"` on the nav link of the page being shown (any of ``names``)."""
    match = getattr(request, "resolver_match", None)
    if not match:
        return ""
    page, *section = names.split()
    if match.url_name == page:
        return mark_safe(' aria-current="page"')  # noqa: S308 - a constant
    if match.url_name in section:
        return mark_safe(' aria-current="true"')  # noqa: S308 - a constant
    return ""


@register.filter
def get(mapping, key):
    """``names|get:appointment.doctor_id``: a dict lookup by a variable key."""
    if not mapping:
        return None
    value = mapping.get(key)
    return getattr(value, "full_name", value)


EVENT_LABELS = {
    "created": "Created",
    "booked": "Booked",
    "reason_changed": "Reason changed",
    "rescheduled": "Moved to a new time",
    "cancelled": "Cancelled",
    "completed": "Marked completed",
    "no_show": "Marked no-show",
    "repaired": "Corrected by the system",
}


@register.filter
def event_label(action: str) -> str:
    """Words for a history event: reason_changed → Reason changed."""
    return EVENT_LABELS.get(action) or str(action).replace("_", " ").capitalize()


@register.simple_tag(takes_context=True)
def event_detail(context, event) -> str:
    """What changed, where it says more than the label: a move's old and new times, a late cancel."""
    data = event.data or {}
    if event.action == "rescheduled":
        try:
            moves = [datetime.datetime.fromisoformat(data[k]["start"]) for k in ("from", "to")]
        except (KeyError, TypeError, ValueError):
            return ""
        before, after = (timefmt.local(moment, _zone(context)) for moment in moves)
        return format_html(
            '<br><span class="timeline__detail">From {} on {} to {} on {}</span>',
            timefmt.time_label(before),
            timefmt.date_label(before, year=False),
            timefmt.time_label(after),
            timefmt.date_label(after, year=False),
        )
    if event.action == "cancelled" and data.get("late"):
        return mark_safe(  # noqa: S308 - a constant
            '<br><span class="timeline__detail">Recorded as a late cancellation</span>'
        )
    return ""


@register.filter
def offset_differs(zone_name: str, week) -> bool:
    """``clinic_zone|offset_differs:week``: the zone is on another offset than the week's."""
    return week.offset_differs(zone_name)
