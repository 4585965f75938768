"""A subject-access export (issue 15 point 5): everything the service holds on one child, as JSON
(complete, every field of every record) and as a readable PDF, audited.

"Everything" is found by the models themselves, not a list kept by hand: every record with a key
to the child, every record with a key to one of those, and so on (cme.core.records), and the audit
events about the child (by id, or naming the child in a list). A room added later is included
without touching this module. History copies (each version of a record) are included. Register
marks (stored packed) are given as their days and codes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from cme.accounts import policy
from cme.audit.models import Action, AuditEvent, AuditEventChild
from cme.audit.services import audit_record
from cme.core.records import records_linked, with_history
from cme.people.models import Child
from cme.people.selectors import child_get_for_user

SKIP_MODELS = {"audit.auditevent", "audit.auditeventchild"}  # given from the audit trail below


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, models.Model):
        return value.pk
    return value


def _row(obj: models.Model) -> dict:
    out = {}
    for f in obj._meta.concrete_fields:
        out[f.attname if f.is_relation else f.name] = _value(getattr(obj, f.attname))
    if obj._meta.label_lower == "attendance.registeryear":
        from cme.attendance.selectors import register_codes

        out["marks"] = [[d.isoformat(), am, pm] for d, am, pm in register_codes(obj)  # type: ignore[arg-type]
                        if am != "-" or pm != "-"]
    return out


def child_records(child: Child) -> dict[str, list[dict]]:
    """Every record about the child, by model ("app.model"): the child's own row first, then
    every record linked to it however deep (cme.core.records: a register through its enrolment,
    a hand-off's messages through the case), with every history copy of each."""
    found = with_history(records_linked(Child, {child.pk}, owned_only=False))
    out: dict[str, list[dict]] = {"people.child": [_row(child)]}
    for model, ids in sorted(found.items(), key=lambda kv: kv[0]._meta.label_lower):
        label = model._meta.label_lower
        if label in SKIP_MODELS or label == "people.child" or not ids:
            continue
        out[label] = [_row(o) for o in model._default_manager.filter(pk__in=sorted(ids)).order_by("pk")]
    audit_ids = set(AuditEvent.objects.filter(child_id=child.pk).values_list("pk", flat=True)) | set(
        AuditEventChild.objects.filter(child_id=child.pk).values_list("event_id", flat=True))
    out["audit.auditevent"] = [
        {"at": _value(e.at), "action": e.action, "summary": e.summary, "by": e.actor_id, "object": e.object_type}
        for e in AuditEvent.objects.filter(pk__in=audit_ids).order_by("at", "pk")]
    return out


def subject_access_export(*, user, child_id: int) -> dict:
    """The whole record of one child of the user's authority, for a subject-access request:
    managers only (it discloses everything, restricted records included), audited."""
    policy.require_manager(user, "Only a manager can export everything held on a child")
    child = child_get_for_user(user=user, child_id=child_id)
    with transaction.atomic():
        records = child_records(child)
        audit_record(actor=user, action=Action.EXPORT, object_type="child", object_id=child.pk, child_id=child.pk,
                     la_id=child.la_id, summary="Exported everything held on the child (subject access request)",
                     detail={"records": {k: len(v) for k, v in records.items()}})
    return {"child_id": child.pk, "made": timezone.now().isoformat(), "made_by": user.get_username(),
            "records": records}


def export_json(export: dict) -> bytes:
    return json.dumps(export, indent=1, ensure_ascii=False, default=str).encode("utf-8")


def export_pdf(export: dict) -> bytes:
    """The same records, readable: one section per kind of record, each record's fields listed."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["Code"]
    child = export["records"]["people.child"][0]
    story = [Paragraph("Everything held on a child: subject access", styles["Title"]),
             Paragraph(escape(f"{child.get('legal_forename', '')} {child.get('legal_surname', '')}, born "
                              f"{child.get('date_of_birth') or 'date not recorded'}. Made {export['made'][:16]} by "
                              f"{export['made_by']}. OFFICIAL-SENSITIVE."), body), Spacer(1, 5 * mm)]
    titles = defaultdict(str)
    for label in export["records"]:
        model = apps.get_model(label)
        titles[label] = str(model._meta.verbose_name_plural).capitalize()
    for label, rows in export["records"].items():
        story.append(Paragraph(escape(f"{titles[label]} ({len(rows)})"), styles["Heading2"]))
        for row in rows:
            text = "; ".join(f"{k}: {v}" for k, v in row.items() if v not in (None, "", [], {}) and k != "marks")
            story.append(Paragraph(escape(text)[:4000], small))
            if row.get("marks"):
                story.append(Paragraph(escape(f"marks on {len(row['marks'])} days, first {row['marks'][0][0]}, "
                                              f"last {row['marks'][-1][0]}"), small))
            story.append(Spacer(1, 2 * mm))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title="Subject access export", author="CME Tracker").build(story)
    return out.getvalue()
