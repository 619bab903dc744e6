from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .models import Role


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        address = _client_address(request)
        if services.login_throttled(username=username, address=address):
            messages.error(request, _("Too many failed attempts. Wait 15 minutes and try again."))
            status = 429
        else:
            user = authenticate(request, username=username, password=password)
            if user is None:
                services.login_failure_record(username=username, address=address)
                messages.error(request, _("That user name and password do not match."))
                status = 401
            else:
                services.login_failures_clear(username=username)
                login(request, user)
                nxt = request.POST.get("next") or request.GET.get("next") or ""
                if url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
                    return redirect(nxt)
                return redirect("home")
    return render(request, "core/login.html", {"next": request.GET.get("next", "")}, status=status)


@require_http_methods(["POST"])
def logout_view(request):
    logout(request)
    return redirect("core:login")


@login_required
def home(request):
    return render(request, "core/home.html", {"queues": selectors.work_queues(user=request.user)})


PEOPLE_PER_UNIT = 12


@login_required
def org_tree(request):
    if request.user.role == Role.PARTNER:
        raise Http404
    units = selectors.org_tree(user=request.user)
    # The people in each unit: one query, at most PEOPLE_PER_UNIT names shown per unit.
    by_unit: dict[int, list] = {}
    for person in (
        selectors.people_list(user=request.user)
        .filter(active=True)
        .only("pk", "name", "kind", "org_unit_id")[:5000]
    ):
        by_unit.setdefault(person.org_unit_id, []).append(person)
    top = min((u.level for u in units), default=0)
    for unit in units:
        unit.depth = unit.level - top  # indentation relative to the user's top unit
        people = by_unit.get(unit.pk, [])
        unit.people_shown = people[:PEOPLE_PER_UNIT]
        unit.people_more = max(0, unit.headcount - len(unit.people_shown))
    return render(request, "core/org_tree.html", {"units": units})


@login_required
def job_status(request, job_id: int):
    job = selectors.job_get(user=request.user, job_id=job_id)
    data = selectors.job_progress_read(job=job)
    if request.htmx:
        return render(request, "core/_job_progress.html", {"job": job, "progress": data})
    return JsonResponse(data)


def csrf_failure(request, reason=""):
    return HttpResponse(_("The form expired. Go back, reload the page and try again."), status=403)
