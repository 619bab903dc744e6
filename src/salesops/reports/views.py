"""Pages of scheduled distribution. Staff see schedules and deliveries; coordinators and
admins manage them. For every other role the pages do not exist (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesops.core.errors import DomainError, NotFound
from salesops.masterdata.selectors import account_get

from . import selectors, services, slots
from .forms import ScheduleForm
from .models import Delivery, PeriodRule, Schedule

PAGE = 100


def _viewer(request):
    if not selectors.can_view(request.user):
        raise Http404


def _manager(request):
    _viewer(request)
    if not selectors.can_manage(request.user):
        raise DjangoPermissionDenied


def _schedule(request, schedule_id: int) -> Schedule:
    try:
        return selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    except NotFound:
        raise Http404 from None


@login_required
def schedule_list(request):
    _viewer(request)
    return render(
        request,
        "reports/schedule_list.html",
        {
            "schedules": selectors.schedule_list(user=request.user)[:500],
            "can_manage": selectors.can_manage(request.user),
        },
    )


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    return status if status in Delivery.Status.values else ""


def _page(request) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def _deliveries(request, *, schedule_id=None):
    status, page = _status_filter(request), _page(request)
    qs = selectors.delivery_list(user=request.user, schedule_id=schedule_id, status=status)
    rows = list(qs[(page - 1) * PAGE : page * PAGE + 1])
    return {
        "deliveries": rows[:PAGE],
        "status": status,
        "statuses": Delivery.Status.choices,
        "page": page,
        "has_next": len(rows) > PAGE,
    }


@login_required
def schedule_detail(request, schedule_id: int):
    _viewer(request)
    s = _schedule(request, schedule_id)
    context = {
        "schedule": s,
        "can_manage": selectors.can_manage(request.user),
        "next_times": services.next_send_times(cron=s.cron, tz=s.timezone) if s.active else [],
        "users": s.users.all(),
        "extra": [a for a in s.extra_addresses.splitlines() if a],
        "period_label": PeriodRule(s.period).label if s.period in PeriodRule.values else "",
        **_deliveries(request, schedule_id=s.pk),
    }
    template = "reports/_delivery_rows.html" if request.htmx else "reports/schedule_detail.html"
    return render(request, template, context)


@login_required
def delivery_log(request):
    _viewer(request)
    context = {"can_manage": selectors.can_manage(request.user), **_deliveries(request)}
    template = "reports/_delivery_rows.html" if request.htmx else "reports/delivery_log.html"
    return render(request, template, context)


def _save(request, form: ScheduleForm, schedule: Schedule | None):
    fields, users = form.service_fields()
    try:
        if schedule is None:
            return services.schedule_create(by=request.user, users=users, **fields)
        return services.schedule_update(schedule=schedule, by=request.user, users=users, **fields)
    except DomainError as exc:
        for field, message in (exc.detail or {}).items():
            target = field if field in form.fields else None
            if field == "params":
                target = "period"
            form.add_error(target, message)
        if not exc.detail:
            form.add_error(None, exc.message)
    return None


@login_required
def schedule_edit(request, schedule_id: int | None = None):
    _manager(request)
    schedule = _schedule(request, schedule_id) if schedule_id else None
    if request.method == "POST":
        form = ScheduleForm(
            request.POST, instance=Schedule.objects.get(pk=schedule.pk) if schedule else None
        )
        if form.is_valid():
            saved = _save(request, form, schedule)
            if saved is not None:
                messages.success(request, _("Schedule saved."))
                return redirect("reports:schedule_detail", saved.pk)
    else:
        initial = {} if schedule else {"cron": "0 8 * * MON", "timezone": "Asia/Shanghai"}
        form = ScheduleForm(instance=schedule, initial=initial)
    cron = form["cron"].value() or ""
    tz = form["timezone"].value() or ""
    return render(
        request,
        "reports/schedule_form.html",
        {
            "form": form,
            "schedule": schedule,
            "next_times": services.next_send_times(cron=cron, tz=tz),
            "cron": cron,
            "tz": tz,
        },
    )


@login_required
def cron_preview(request):
    """The next five send times of a cron expression in a time zone (htmx, from the form)."""
    _viewer(request)
    cron = request.GET.get("cron", "")[:100].strip()
    tz = request.GET.get("timezone", "")[:64].strip()
    return render(
        request,
        "reports/_next_times.html",
        {
            "next_times": services.next_send_times(cron=cron, tz=tz),
            "cron": cron,
            "tz": tz,
            "cron_ok": slots.cron_valid(cron),
            "tz_ok": slots.tz_valid(tz),
        },
    )


@login_required
@require_POST
def schedule_send_now(request, schedule_id: int):
    _manager(request)
    s = _schedule(request, schedule_id)
    key = services.schedule_send_now(schedule=s, by=request.user)
    count = s.deliveries.filter(slot_key=key).count()
    messages.success(
        request,
        _("%(count)s e-mails queued; the worker sends them within a minute.") % {"count": count},
    )
    return redirect("reports:schedule_detail", s.pk)


@login_required
@require_POST
def delivery_retry(request, delivery_id: int):
    _manager(request)
    d = selectors.delivery_list(user=request.user).filter(pk=delivery_id).first()
    if d is None:
        raise Http404
    services.delivery_retry(delivery=d, by=request.user)
    messages.success(request, _("The delivery will be tried again."))
    return redirect("reports:schedule_detail", d.schedule_id)


@login_required
def schedule_preview(request, schedule_id: int):
    """The schedule's document for one account, as its next run would make it: HTML in the
    browser, or the PDF/XLSX download."""
    _viewer(request)
    s = _schedule(request, schedule_id)
    fmt = request.GET.get("fmt", "html")
    if fmt not in ("html", "pdf", "xlsx"):
        fmt = "html"
    lang = request.GET.get("lang", "")
    if lang not in services.LANGS:
        lang = s.language if s.language in services.LANGS else "en"
    try:
        account_id = int(request.GET.get("account", ""))
        account = account_get(user=request.user, account_id=account_id)
    except (ValueError, NotFound):
        account = services.audience_accounts(s).order_by("name_search", "pk").first()
    if account is None:
        messages.error(request, _("This schedule has no account to preview."))
        return redirect("reports:schedule_detail", s.pk)
    slot = s.next_slot_at or timezone.now()
    start, end = slots.period_for(
        s.period or services.DEFAULT_PERIOD[s.kind],
        slots.local_date(slot, s.timezone),
        services._calendar(),
    )
    doc = services._renderer()(
        kind=s.kind,
        account=account,
        start=start,
        end=end,
        fmt=fmt,
        lang=lang,
        user=request.user,
    )
    response = HttpResponse(doc.content, content_type=doc.content_type)
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{doc.filename}"'
    return response
