"""HTML of the order board: the school's board, its drill-down, the inspector's table and the
exports."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from board.findings import finding_list, finding_point, school_chat_owners
from board.freshness import Freshness, jobs_freshness
from board.selectors import boards_build, fix_url, kept_board
from board.snapshots import snapshot_series
from board.words import HeadlineItem, headline_items
from compliance.registry import PointStatus, get_check, points_evaluate
from gymnasium_portal.params import parse_id
from orders.selectors import current_points, point_people
from staff.access import user_can
from staff.models import School
from staff.selectors import school_list, user_school

from .exports import board_pdf
from .svg import Series, line_chart
from .workbook import board_xlsx

FINDINGS_PER_PAGE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _requested_school_id(request, school_id: int | None) -> int | None:
    """The school asked for (URL, then ``?school=``), else the user's own; None when neither."""
    if school_id is not None:
        return int(school_id)
    raw = request.GET.get("school", "").strip()
    if raw:
        requested = parse_id(raw)
        if requested is None:
            raise Http404
        return requested
    school = user_school(request.user)
    return school.pk if school else None


def _require_board(request) -> None:
    """The user has a board at all (``board/access.py``); which school's is ``school_list``'s."""
    if not user_can(request.user, "view_board", School):
        raise PermissionDenied


def _visible_schools(request, school_id: int):
    """The school narrowed to what the user may see: another school is simply not there (404)."""
    return school_list(user=request.user).filter(pk=school_id)


def _read_only_id(request, school_id: int) -> bool:
    own = user_school(request.user)
    return own is None or own.pk != school_id


def _read_only(request, school: School) -> bool:
    return _read_only_id(request, school.pk)


# A line through one or two days says nothing about a trend: below this the board says
# «мало данных» instead of drawing one.
MIN_TREND_POINTS = 3


def _trend_charts(series) -> list:
    if len(series) < MIN_TREND_POINTS:
        return []
    dates = [day for day, _figures in series]

    def percent(done_key, total_key):
        values = []
        for _day, figures in series:
            total = figures.get(total_key) or 0
            values.append(round(100 * (figures.get(done_key) or 0) / total) if total else None)
        return values

    def count(getter):
        return [getter(figures) for _day, figures in series]

    shares = line_chart(
        dates=dates,
        title=_("Доли, %"),
        percent=True,
        series=[
            Series(_("классы со всеми чатами"), percent("classes_compliant", "classes_total")),
            Series(_("охват чатами"), percent("members_reached", "members_expected")),
            Series(_("обучены (п. 7.2)"), percent("teaching_trained", "teaching_total")),
            Series(_("ознакомлены"), percent("acknowledged", "acknowledgements_total")),
        ],
    )
    counts = line_chart(
        dates=dates,
        title=_("Количество"),
        series=[
            Series(_("открытые замечания"), count(lambda f: f.get("findings_open"))),
            Series(_("заявки ждут"), count(lambda f: f.get("join_requests_pending"))),
            Series(
                _("действующие ссылки"), count(lambda f: (f.get("invitations") or {}).get("active"))
            ),
            Series(
                _("пункты выполнены"),
                count(lambda f: (f.get("points") or {}).get(PointStatus.DONE)),
            ),
        ],
    )
    return [shares, counts]


def _honest_headline(items: list[HeadlineItem], freshness: Freshness) -> list[HeadlineItem]:
    """«Открытые замечания: 0» is not said before the checks have run: it would read «all clear»."""
    if not freshness.never_run:
        return items
    not_checked = _("Проверка ещё не выполнялась")
    return [
        replace(item, figure="—", value=not_checked, detail=not_checked)
        if item.key == "findings"
        else item
        for item in items
    ]


def _board_cache_key(*, school_id: int, read_only: bool, today) -> str:
    return f"board:board:{school_id}:{int(read_only)}:{get_language()}:{today.isoformat()}"


def _board_parts(request, *, school_id: int, today) -> dict | None:
    """The school's board rendered (header and figures) with when it was computed; None if not
    visible.

    Computing the board is the costly part of the page (a dozen grouped queries and a long table),
    and its figures change at the pace of the school's work, not of page views: the rendered parts
    are kept for ``BOARD_CACHE_SECONDS`` per school (and per reader kind: the inspector's copy has
    no «Исправить» links). ``?refresh=1`` recomputes them at once.
    """
    seconds = settings.BOARD_CACHE_SECONDS
    read_only = _read_only_id(request, school_id)
    key = _board_cache_key(school_id=school_id, read_only=read_only, today=today)
    refresh = request.GET.get("refresh") == "1"
    # The school's rule without a query (``School(pk=…)``: the rule reads the id only).
    if seconds > 0 and not refresh and user_can(request.user, "view", School(pk=school_id)):
        parts = caches["board"].get(key)
        if parts is not None:
            return parts
    kept = kept_board(user=request.user, school_id=school_id, today=today, refresh=refresh)
    if kept is None:
        return None
    school_board = kept.board
    series = snapshot_series(school=school_board.school, today=today, live=school_board)
    context = {
        "board": school_board,
        "school": school_board.school,
        "headline": _honest_headline(headline_items(school_board.headline), kept.freshness),
        "charts": _trend_charts(series),
        "trend_days": len(series),
        "trend_days_needed": MIN_TREND_POINTS,
        "read_only": read_only,
        "today": today,
        "statuses": PointStatus,
    }
    parts = {
        "school_short_name": school_board.school.short_name,
        "computed_at": kept.computed_at,
        # When the checking jobs last ran, as of the computation (the page still says «N минут
        # назад»).
        "freshness": kept.freshness,
        "header": render_to_string("board/board_header.html", context, request),
        "main": render_to_string("board/board_main.html", context, request),
        "context": context,
    }
    if seconds > 0:
        caches["board"].set(
            key, {name: value for name, value in parts.items() if name != "context"}, seconds
        )
    return parts


@login_required
def board(request, school_id: int | None = None):
    """The order, live: every point with status, figure and who answers today; headline figures;
    trends."""
    _require_board(request)
    school_id = _requested_school_id(request, school_id)
    if school_id is None:
        if user_can(request.user, "view_all", School):
            return redirect("board:inspector")
        raise PermissionDenied
    parts = _board_parts(request, school_id=school_id, today=timezone.localdate())
    if parts is None:
        raise Http404
    query = request.GET.copy()
    query["refresh"] = "1"
    return render(
        request,
        "board/board.html",
        {
            **parts.get("context", {}),
            "parts": {"header": mark_safe(parts["header"]), "main": mark_safe(parts["main"])},
            "school_short_name": parts["school_short_name"],
            "computed_at": parts["computed_at"],
            "refresh_url": f"?{query.urlencode()}",
            "freshness": parts["freshness"],
        },
    )


@login_required
def drilldown(request, school_id: int | None = None):
    """What is missing and who answers for it: the school's open findings, by check, point or
    class."""
    _require_board(request)
    school_id = _requested_school_id(request, school_id)
    if school_id is None:
        raise Http404
    school = _visible_schools(request, school_id).first()
    if school is None:
        raise Http404
    today = timezone.localdate()
    points = current_points(school=school)
    point = None
    raw_point = request.GET.get("point", "").strip()
    if raw_point:
        point = next((p for p in points if str(p.pk) == raw_point), None)
        if point is None:
            raise Http404
    class_id = None
    raw_class = request.GET.get("class", "").strip()
    if raw_class:
        class_id = parse_id(raw_class)
        if class_id is None:
            raise Http404
    check_key = request.GET.get("check", "").strip()[:64]

    findings = finding_list(school=school, check=check_key, point=point, class_id=class_id)
    page = Paginator(findings, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    people = point_people(points=points, today=today)
    owners = school_chat_owners(school=school)
    rows = []
    for finding in page.object_list:
        finding_pt = finding_point(finding=finding, points=points)
        teacher = finding.school_class.class_teacher if finding.school_class_id else None
        rows.append(
            {
                "finding": finding,
                "point": finding_pt,
                "teacher": teacher,
                # A missing school-wide chat: the owners the order names for that chat (point 6).
                "owners": [] if finding.school_class_id else owners.get(finding.chat_kind, []),
                "people": people.get(finding_pt.pk) if finding_pt is not None else None,
            }
        )
    check_key = check_key or (point.check_key if point else "")
    check = get_check(check_key) if check_key else None
    point_result = points_evaluate(points=[point], today=today)[point.pk] if point else None
    read_only = _read_only(request, school)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "board/drilldown.html",
        {
            "school": school,
            "rows": rows,
            "page": page,
            "point": point,
            "check": check,
            "check_key": check_key,
            "class_id": class_id,
            "fix_url": fix_url(check=check, school_id=school.pk, point=point)
            if check and not read_only
            else None,
            "read_only": read_only,
            "query": query.urlencode(),
            # No «all clear» before the checks have run, nor next to an overdue point.
            "freshness": jobs_freshness(),
            "point_result": point_result,
            "statuses": PointStatus,
        },
    )


def _file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _render_export(boards, fmt: str, *, filename: str, municipality: bool) -> HttpResponse:
    today = timezone.localdate()
    if fmt == "xlsx":
        return _file_response(
            board_xlsx(boards=boards, today=today, municipality=municipality),
            content_type=XLSX,
            filename=f"{filename}-{today:%Y-%m-%d}.xlsx",
        )
    return _file_response(
        board_pdf(boards=boards, today=today, municipality=municipality),
        content_type="application/pdf",
        filename=f"{filename}-{today:%Y-%m-%d}.pdf",
    )


@login_required
def export(request, fmt: str, school_id: int | None = None):
    """One school's report for the education department (XLSX or PDF)."""
    _require_board(request)
    school_id = _requested_school_id(request, school_id)
    if school_id is None:
        raise Http404
    boards = boards_build(schools=_visible_schools(request, school_id))
    if not boards:
        raise Http404
    order = boards[0].order
    name = f"ispolnenie-prikaza-{order.number}" if order else "ispolnenie-prikaza"
    return _render_export(boards, fmt, filename=f"{name}-shkola-{school_id}", municipality=False)


@login_required
def inspector_export(request, fmt: str):
    """The whole municipality: a summary and every school's report, with who answers for each
    point today (as each school's board says)."""
    if not user_can(request.user, "view_all", School):
        raise PermissionDenied
    boards = sorted(
        boards_build(schools=school_list(user=request.user), with_responsible=True),
        key=lambda b: b.severity,
    )
    return _render_export(boards, fmt, filename="ispolnenie-munitsipalitet", municipality=True)
