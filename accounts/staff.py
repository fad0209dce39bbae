"""BNN pusat in the Django admin: the group "BNN pusat" and exactly the model permissions it grants.

BNN pusat edits instruments, periods and band schemes in the admin (README), so its users are staff and
members of this group; they are never superusers. What the group may do, per model:
  - band schemes and their bands, instruments and everything under them (respondent groups, variables,
    indicators, questions, options, evidence types): view, add, change, delete. The admin itself still
    makes a locked instrument (and its children) read-only and adds children only on their parent's page;
    PROTECT keeps a used scheme or instrument from being deleted.
  - periods: view, add, change (participants are a field of the period); no delete (a period owns the
    collections of every kab/kota).
  - survey data (collections, questionnaires, evidence, respondent links), action plans (plans, items,
    instansi/OPD, follow-ups, comments), provinces, kab/kota and users: view only. Users are imported at
    /pengguna/impor/, never edited here; groups, permissions, notifications, login attempts and the rest
    of the admin stay closed.

`pusat_group_sync` creates the permissions it needs (Django creates them only after migrate, in a
post_migrate handler that may not have run yet for these apps), then the group, and sets exactly these
permissions on it. It runs in the data migration accounts 0002 (with the migration's models) and after
every migrate (AccountsConfig.ready, with the current models), so a flushed database and a model added
later get the group right too. Running it again changes nothing.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

PUSAT_GROUP = "BNN pusat"

_EDIT = ("view", "add", "change", "delete")

# {app label: {model name: actions}}: everything BNN pusat may do in the admin.
PUSAT_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "instruments": {
        "bandscheme": _EDIT,
        "band": _EDIT,
        "instrument": _EDIT,
        "respondentgroup": _EDIT,
        "variable": _EDIT,
        "indicator": _EDIT,
        "question": _EDIT,
        "option": _EDIT,
        "evidencetype": _EDIT,
    },
    "assessments": {
        "period": ("view", "add", "change"),
        "collection": ("view",),
        "questionnaire": ("view",),
        "evidence": ("view",),
        "respondentlink": ("view",),
    },
    "regions": {"province": ("view",), "regency": ("view",)},
    "accounts": {"user": ("view",)},
    # Action plans and their monev: view only (written by the BNNK and BNNP on the plan pages).
    "plans": dict.fromkeys(("actionplan", "actionitem", "agency", "followup", "plancomment"), ("view",)),
}


def pusat_codenames() -> set[tuple[str, str]]:
    """The (app label, codename) pairs the group holds, e.g. ("instruments", "change_instrument")."""
    return {
        (app_label, f"{action}_{model}")
        for app_label, models in PUSAT_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    }


def pusat_group_sync(apps=global_apps, using: str = DEFAULT_DB_ALIAS):
    """Create (or repair) the group "BNN pusat" with exactly its permissions; return it.

    `apps` is a migration's app registry inside a data migration, the project's otherwise."""
    for app_label in PUSAT_PERMISSIONS:
        # The installed app config (it has a models module); create_permissions reads the models of `apps`.
        create_permissions(global_apps.get_app_config(app_label), verbosity=0, using=using, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    wanted = Q(pk__in=[])
    for app_label, codename in pusat_codenames():
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group, _created = group_model.objects.using(using).get_or_create(name=PUSAT_GROUP)
    group.permissions.set(permission_model.objects.using(using).filter(wanted))
    return group


def sync_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """post_migrate handler (sent for the accounts app): the group as declared above, after every migrate
    and flush, with the models as that migrate left them."""
    pusat_group_sync(apps, using)
