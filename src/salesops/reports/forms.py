from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from salesops.core.models import OrgUnit, Role
from salesops.masterdata.models import Account

from .models import PeriodRule, Schedule


class ScheduleForm(forms.ModelForm):
    period = forms.ChoiceField(label=_("Period"), choices=PeriodRule.choices)
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.none(),
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("account id")}),
        help_text=_("For a schedule of one account: its id (see the account's page)."),
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=OrgUnit.objects.all(), required=False
    )
    users = forms.ModelMultipleChoiceField(
        label=_("Internal users"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Internal users receive a copy of every account's document."),
    )

    class Meta:
        model = Schedule
        fields = [
            "name",
            "kind",
            "period",
            "audience",
            "account",
            "territory",
            "to_contacts",
            "users",
            "extra_addresses",
            "fmt",
            "language",
            "cron",
            "timezone",
            "catch_up",
            "active",
        ]
        widgets = {"extra_addresses": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.all()
        self.fields["users"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .exclude(role=Role.PARTNER)
            .exclude(email="")
            .order_by("username")
        )
        self.fields["cron"].help_text = _(
            "Five fields: minute hour day-of-month month weekday, in the schedule's time zone. "
            '"0 8 * * MON" = Mondays at 08:00; "0 7 1 * *" = the 1st of each month at 07:00; '
            '"30 17 * * MON-FRI" = weekdays at 17:30.'
        )
        self.fields["timezone"].help_text = _("An IANA time zone, e.g. Asia/Shanghai.")
        if self.instance.pk:
            self.fields["period"].initial = self.instance.period

    def service_fields(self) -> tuple[dict, list]:
        data = dict(self.cleaned_data)
        users = list(data.pop("users") or [])
        data["params"] = {**(self.instance.params or {}), "period": data.pop("period")}
        return data, users
