"""The signed copy of an action plan: the scan of the plan the Tim Terpadu P4GN signed, uploaded by the
kab/kota's BNNK through the evidence file rules (assessments.evidence.services.check_upload) and kept in
the plan's history. Replacing it writes a new history row; the earlier file stays on disk, so what was
signed before can still be read from the history. A refusal raises ServiceError in Indonesian and keeps
the earlier copy as it was."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.evidence import services as evidence_services
from kotan import access
from kotan.lib.service_errors import NotAllowed, ServiceError

from .models import ActionPlan

# A signed copy is a scan or a photo: a PDF or an image (check_upload also knows XLSX and DOCX).
SIGNED_TYPES = frozenset({"pdf", "jpg", "png"})
SIGNED_ACCEPT = ".pdf,.jpg,.jpeg,.png"
SIGNED_LABEL = "PDF, JPEG, PNG"
SIGNED_FIELDS = ["signed_file", "signed_name", "signed_type", "signed_at", "signed_by"]


def signed_upload(*, user, plan: ActionPlan, uploaded_file) -> ActionPlan:
    """Store the signed copy of the plan (replacing an earlier one, which stays in history). Does not touch
    plan.updated_at: the plan's content is unchanged, so its PDF stays current."""
    if not access.can_edit_plan(user, plan.collection.regency):
        raise NotAllowed(_("Hanya BNNK kab/kota ini yang dapat mengunggah rencana aksi bertanda tangan."))
    detected = evidence_services.check_upload(uploaded_file)
    if detected.extension not in SIGNED_TYPES:
        raise ServiceError(
            _("Unggah hasil pindaian rencana aksi bertanda tangan sebagai %(allowed)s.")
            % {"allowed": SIGNED_LABEL},
            code="bad_type",
        )
    plan.signed_name = evidence_services.download_name(uploaded_file.name or "", detected)
    plan.signed_type = detected.content_type
    plan.signed_at = timezone.now()
    plan.signed_by = user
    plan._history_user = user
    uploaded_file.seek(0)
    with transaction.atomic():
        plan.signed_file.save("bertanda-tangan", uploaded_file, save=False)
        try:
            plan.save(update_fields=SIGNED_FIELDS)
        except Exception:
            plan.signed_file.delete(save=False)  # no orphan file when the row could not be written
            raise
    return plan
