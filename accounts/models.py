"""The KOTAN user: one role, bound to the kab/kota or province it works for."""

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .staff import PUSAT_GROUP, pusat_group_sync


class Role(models.TextChoices):
    BNNK = "bnnk", _("BNNK (kabupaten/kota)")
    BNNP = "bnnp", _("BNNP (provinsi)")
    PUSAT = "pusat", _("BNN pusat")


class User(AbstractUser):
    role = models.CharField(_("peran"), max_length=8, choices=Role.choices, default=Role.PUSAT)
    regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    province = models.ForeignKey(
        "regions.Province",
        verbose_name=_("provinsi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            # The scope must match the role: a BNNK has exactly a kab/kota, a BNNP exactly a province,
            # BNN pusat neither. Enforced by the database, not only by forms.
            models.CheckConstraint(
                condition=(
                    Q(role=Role.BNNK, regency__isnull=False, province__isnull=True)
                    | Q(role=Role.BNNP, province__isnull=False, regency__isnull=True)
                    | Q(role=Role.PUSAT, province__isnull=True, regency__isnull=True)
                ),
                name="user_scope_matches_role",
                violation_error_message=_(
                    "Pengguna BNNK wajib memiliki kabupaten/kota, pengguna BNNP wajib memiliki provinsi, "
                    "dan BNN pusat tidak terikat wilayah."
                ),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.role == Role.BNNK:
            if not self.regency_id:
                errors["regency"] = _("Pengguna BNNK wajib memiliki kabupaten/kota.")
            self.province = None
        elif self.role == Role.BNNP:
            if not self.province_id:
                errors["province"] = _("Pengguna BNNP wajib memiliki provinsi.")
            self.regency = None
        else:
            self.regency = None
            self.province = None
        if errors:
            raise ValidationError(errors)

    # A save that writes one of these fields may change what the role gives in the admin.
    _ACCESS_FIELDS = frozenset({"role", "is_staff", "is_superuser"})

    def save(self, *args, **kwargs):
        """Every save that may change the role (not e.g. the login's last_login) syncs the admin access."""
        fields = kwargs.get("update_fields")
        access = fields is None or bool(self._ACCESS_FIELDS.intersection(fields))
        if access:
            self._sync_staff()
        super().save(*args, **kwargs)
        if access:
            self.sync_role_access()

    def _sync_staff(self) -> None:
        # BNN pusat works in the admin; BNNK and BNNP never do. A superuser keeps what it was given.
        if self.role == Role.PUSAT:
            self.is_staff = True
        elif not self.is_superuser:
            self.is_staff = False

    def sync_role_access(self) -> None:
        """The group the role gives in the Django admin: a BNN pusat user is in "BNN pusat" (accounts.staff),
        any other role is not (staff status is set by save()). Called by save(); call it again after
        something that rewrote the user's groups (the admin's user form does)."""
        group = Group.objects.filter(name=PUSAT_GROUP).first()
        if self.role == Role.PUSAT:
            self.groups.add(group or pusat_group_sync())
        elif group is not None:
            self.groups.remove(group)

    @property
    def scope_label(self) -> str:
        """What the navigation shows next to the role: the kab/kota, province, or 'Nasional'."""
        if self.role == Role.BNNK and self.regency_id:
            return str(self.regency)
        if self.role == Role.BNNP and self.province_id:
            return str(self.province)
        return str(_("Nasional"))
