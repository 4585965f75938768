"""Reads for hand-offs, scoped to the user: an authority's own staff see its lost pupils and
hand-offs, nobody else (another authority's are refused and audited)."""

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from cme.audit.models import Action
from cme.audit.services import audit_access_refused, audit_record
from cme.handoffs.models import (
    HandoffStatus,
    IncomingHandoff,
    LostPupil,
    LostPupilMatch,
    OutgoingHandoff,
)


def _la_id(user):
    return user.la_id if user.is_authenticated and user.is_la_staff else None


def lost_pupils_visible_to(user) -> QuerySet[LostPupil]:
    la_id = _la_id(user)
    return LostPupil.objects.filter(la_id=la_id).select_related("child", "provider") if la_id else LostPupil.objects.none()


def lost_matches_open(user) -> QuerySet[LostPupilMatch]:
    return LostPupilMatch.objects.filter(lost__in=lost_pupils_visible_to(user),
                                         status=LostPupilMatch.Status.OPEN).select_related("lost__child", "provider")


def outgoing_visible_to(user) -> QuerySet[OutgoingHandoff]:
    la_id = _la_id(user)
    return OutgoingHandoff.objects.filter(la_id=la_id).select_related("case") if la_id else OutgoingHandoff.objects.none()


def incoming_visible_to(user) -> QuerySet[IncomingHandoff]:
    la_id = _la_id(user)
    return IncomingHandoff.objects.filter(la_id=la_id).select_related("case") if la_id else IncomingHandoff.objects.none()


def incoming_waiting(user) -> QuerySet[IncomingHandoff]:
    return incoming_visible_to(user).filter(status=HandoffStatus.DELIVERED)


def _door(qs, model, *, user, object_id: int, object_type: str, require=None, child=lambda o: None,
          la_field: str = "la_id"):
    with transaction.atomic():
        obj = qs.filter(pk=object_id).first()
        if obj is not None:
            if require is not None:
                require(user)
            audit_record(actor=user, action=Action.VIEW, object_type=object_type, object_id=obj.pk,
                         child_id=child(obj), la_id=_la_id(user), summary=f"Viewed a {object_type.replace('_', ' ')}")
    if obj is None:
        audit_access_refused(actor=user, object_type=object_type, object_id=object_id,
                             owner=model.objects.filter(pk=object_id), la_field=la_field)
        raise Http404("Not found")
    return obj


def lost_pupil_get_for_user(*, user, lost_id: int, require=None) -> LostPupil:
    return _door(lost_pupils_visible_to(user), LostPupil, user=user, object_id=lost_id, object_type="lost_pupil",
                 require=require, child=lambda o: o.child_id)


def lost_match_get_for_user(*, user, match_id: int, require=None) -> LostPupilMatch:
    return _door(LostPupilMatch.objects.filter(lost__in=lost_pupils_visible_to(user)), LostPupilMatch, user=user,
                 object_id=match_id, object_type="lost_pupil_match", require=require, child=lambda o: o.lost.child_id,
                 la_field="lost__la_id")


def incoming_get_for_user(*, user, incoming_id: int, require=None) -> IncomingHandoff:
    return _door(incoming_visible_to(user), IncomingHandoff, user=user, object_id=incoming_id,
                 object_type="handoff_in", require=require)


def peer_names(user) -> dict[str, str]:
    """LA code -> name of each peer authority the user's authority may send a case to (itself
    left out where one server hosts both), named as its LA contacts directory names them."""
    from cme.handoffs import peers
    from cme.providers.models import Organisation, OrgKind

    if user.la_id is None:
        return {}
    own = Organisation.objects.filter(pk=user.la_id).values_list("la_code", flat=True).first()
    contacts = dict(Organisation.objects.filter(kind=OrgKind.OTHER_LA, la_id=user.la_id)
                    .exclude(la_code="").values_list("la_code", "name"))
    return {code: peers.peer_name(code, contacts) for code in peers.config().get("peers", {}) if code != own}
