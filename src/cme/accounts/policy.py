"""Who may see or do what: the one place that decides.

Pages, the API, selectors and services ask these questions; none of them decides alone. Each
rule is a plain predicate (``may_*``/``is_*``) and, where a refusal is needed, a ``require_*``
that raises Django's PermissionDenied (a 403 on a page and in the API) or Http404 (for what must
not be known to exist).

What a person may *see* of a record is decided here too (restricted flags, refuge addresses,
the school's view of a child, why the stricter screening thresholds applied): the selectors ask
these rules and return the record already redacted, so a page and the API cannot differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cme.accounts.models import Role

# Who may load term dates and any provider's registers for the authority.
LA_LOADERS = (Role.ADMINISTRATOR, Role.MANAGER, Role.CME_OFFICER)
# Who may press "Run screening now".
SCREENING_RUNNERS = (Role.MANAGER, Role.CME_OFFICER)
# Who keeps the directory of other authorities' CME contacts.
LA_CONTACT_EDITORS = (Role.MANAGER, Role.ADMINISTRATOR)


# -- who a person is ---------------------------------------------------------------------------


def is_la_staff(user: Any) -> bool:
    """Staff of an authority: they see the authority's children, referrals and cases."""
    return bool(getattr(user, "is_authenticated", False) and user.is_la_staff)


def is_school_user(user: Any) -> bool:
    """Staff of a school or other provider (not of the authority)."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.SCHOOL)
                and not user.is_la_staff)


def is_partner_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.PARTNER)
                and not user.is_la_staff)


def is_manager(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_manager)


def may_work_cases(user: Any) -> bool:
    """Officers who work cases: may change a case, triage a referral, be given work."""
    return bool(getattr(user, "is_authenticated", False) and user.can_work_cases)


def may_see_restricted(user: Any) -> bool:
    """Roles that see restricted detail: child-protection flags, refuges, harm recorded."""
    return bool(getattr(user, "is_authenticated", False) and user.can_see_restricted)


# -- what a person may do ----------------------------------------------------------------------


def may_see_children(user: Any) -> bool:
    """The register's children: the authority's staff (theirs) and schools (their pupils)."""
    return is_la_staff(user) or is_school_user(user)


def may_edit_children(user: Any) -> bool:
    """The register is kept by the authority's staff; a school sees its pupils but edits rolls."""
    return is_la_staff(user)


def may_see_child_history(user: Any) -> bool:
    return is_la_staff(user)


def may_refer(user: Any) -> bool:
    """Partner agencies and schools send referrals through their own pages."""
    return not is_la_staff(user) and bool(getattr(user, "is_authenticated", False)
                                          and user.has_role(Role.PARTNER, Role.SCHOOL))


def referral_la(user: Any) -> Any:
    """The authority a signed-in person's referrals go to: staff their own, a partner or school
    its organisation's. Never guessed: a referral sent to the wrong council is a child lost
    between two. Raises PermissionDenied when the person may not refer, and ValueError (with the
    words to show) when their organisation is not linked to an authority yet."""
    if is_la_staff(user):
        return user.organisation
    if not may_refer(user):
        raise PermissionDenied("This account may not make referrals")
    org = user.organisation
    if org is None or not org.la_id:
        raise ValueError(
            "Your organisation is not linked to a council yet. Ask the council’s children missing "
            "education team to set it up."
        )
    return org.la


def may_load_la_registers(user: Any) -> bool:
    """Term dates and any provider's registers of the authority."""
    return is_la_staff(user) and user.has_role(*LA_LOADERS)


def may_upload_registers(user: Any) -> bool:
    """The register upload page: the authority's loaders, or a provider's own staff."""
    if may_load_la_registers(user):
        return True
    org = getattr(user, "organisation", None)
    return bool(is_school_user(user) and org is not None and org.is_provider and org.la_id and org.estab)


def may_return_deletions(user: Any) -> bool:
    """Deletion and new-entry returns: a provider's own staff (its own pupils), or the authority's
    case officers (any provider of theirs, as a school tells them by phone)."""
    if may_work_cases(user) and is_la_staff(user):
        return True
    org = getattr(user, "organisation", None)
    return bool(is_school_user(user) and org is not None and org.is_provider and org.la_id)


def require_deletion_returner(user: Any) -> None:
    if not may_return_deletions(user):
        raise PermissionDenied("Only schools and the authority's case officers can make these returns")


def may_see_radar(user: Any) -> bool:
    """The off-rolling radar names schools: for managers."""
    return is_manager(user)


def may_manage(user: Any) -> bool:
    """The management pages (team, refused access, rules and clocks): managers and administrators."""
    return is_la_staff(user) and user.has_role(Role.MANAGER, Role.ADMINISTRATOR)


def may_see_management_figures(user: Any) -> bool:
    """The dashboard, pace, the self-evaluation and the returns: managers, administrators and
    senior leaders (who read them, and the children behind them, and change nothing)."""
    return is_la_staff(user) and user.has_role(Role.MANAGER, Role.ADMINISTRATOR, Role.SENIOR_LEADER)


def require_management_view(user: Any) -> None:
    if not may_see_management_figures(user):
        raise PermissionDenied("Only managers and senior leaders can see the management figures")


def may_identify_pupils(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and is_la_staff(user) and may_work_cases(user))


def register_scope(user: Any) -> dict:
    """Whose registers a person may load: the authority's staff any provider of theirs; a school
    or alternative provider its own."""
    if may_load_la_registers(user):
        return {"la_id": user.la_id}
    org = getattr(user, "organisation", None)
    if (is_school_user(user) and org is not None and org.is_provider and org.la_id and org.estab):
        return {"la_id": org.la_id, "provider_id": org.pk}
    raise PermissionDenied("Only schools, providers and council staff can upload registers")


def may_run_screening(user: Any) -> bool:
    return is_la_staff(user) and user.has_role(*SCREENING_RUNNERS)


def may_use_directory(user: Any) -> bool:
    """The provider directory: the authority's staff, and providers' own staff."""
    return is_la_staff(user) or (
        getattr(user, "is_authenticated", False) and user.has_role(Role.SCHOOL)
        and user.organisation is not None and user.organisation.is_provider
    )


def may_edit_la_contacts(user: Any) -> bool:
    return is_la_staff(user) and user.has_role(*LA_CONTACT_EDITORS)


def may_import_roll(user: Any, provider: Any) -> bool:
    """The authority's staff for its providers; a school user for its own organisation only."""
    if not getattr(user, "is_authenticated", False) or not provider.is_provider:
        return False
    if is_la_staff(user):
        return provider.la_id == user.organisation_id
    return user.has_role(Role.SCHOOL) and provider.pk == user.organisation_id


def may_see_audit(user: Any) -> bool:
    """The audit trail's reports (who viewed a child, who was refused records): managers."""
    return is_manager(user)


def may_update_places(user: Any, provider: Any) -> bool:
    """A provider's places free: the authority's staff for its providers; a provider's own staff
    for their provider only (with the date they gave it)."""
    if provider is None or not getattr(user, "is_authenticated", False) or not provider.is_provider:
        return False
    if is_la_staff(user):
        return provider.la_id == user.organisation_id
    return bool(is_school_user(user) and provider.pk == user.organisation_id)


def may_keep_places_directory(user: Any) -> bool:
    """Capacities and the directory of alternative provision: the authority's staff who load data."""
    return may_load_la_registers(user)


def may_answer_placement_requests(user: Any) -> bool:
    """A provider's staff answer the requests for a place made to their provider (and see only those)."""
    org = getattr(user, "organisation", None)
    return bool(is_school_user(user) and org is not None and org.is_provider)


def may_answer_placement_request(user: Any, request: Any) -> bool:
    if may_work_cases(user):
        return request.case.la_id == user.organisation_id
    return may_answer_placement_requests(user) and request.provider_id == user.organisation_id


def may_see_panel_restricted(user: Any) -> bool:
    """A panel's restricted notes (and so the full minutes): the roles that see restricted detail."""
    return may_see_restricted(user)


# -- refusals ----------------------------------------------------------------------------------


def require_la_staff(user: Any, message: str = "Only council staff can see this page") -> None:
    if not is_la_staff(user):
        raise PermissionDenied(message)


def require_la_staff_or_404(user: Any) -> None:
    """What does not exist for anyone outside the authority's staff (cases for schools and
    partners, the LA contacts directory): 404, so that its existence is not revealed."""
    if not is_la_staff(user):
        raise Http404("No such page")


def require_caseworker(user: Any, message: str = "Only officers who work cases can change them") -> None:
    if not may_work_cases(user):
        raise PermissionDenied(message)


def require_manager(user: Any, message: str = "Only a manager can do this") -> None:
    if not is_manager(user):
        raise PermissionDenied(message)


def require_child_searcher(user: Any) -> None:
    """Searching every roll, the home-education list and the register: the authority's staff."""
    if not (user.is_authenticated and is_la_staff(user)):
        raise PermissionDenied("Only council staff can search the rolls")


def require_pupil_identifier(user: Any) -> None:
    """Saying who a roll's pupil is decides whether a missing child reads as safe: case workers."""
    if not may_identify_pupils(user):
        raise PermissionDenied("Only the authority's case officers identify pupils on a roll")


def require_children_scope(user: Any) -> None:
    if not may_see_children(user):
        raise PermissionDenied("You cannot search the register")


def require_child_history_reader(user: Any) -> None:
    if not may_see_child_history(user):
        raise PermissionDenied("Only the authority's staff can see a child's change history")


def require_child_editor(user: Any) -> None:
    if not may_edit_children(user):
        raise PermissionDenied("Only the authority's staff can change a child's record")


def require_referrer(user: Any) -> None:
    if not may_refer(user):
        raise PermissionDenied("This page is for partner agencies and schools")


def require_manager_or_administrator(user: Any) -> None:
    if not may_manage(user):
        raise PermissionDenied("Only managers and administrators can see this page")


def require_la_loader(user: Any) -> None:
    if not may_load_la_registers(user):
        raise PermissionDenied("Only administrators, managers and CME officers can load term dates")


def require_directory_user(user: Any) -> None:
    if not may_use_directory(user):
        raise PermissionDenied("The directory is for council staff and providers")


def require_places_keeper(user: Any) -> None:
    if not may_keep_places_directory(user):
        raise PermissionDenied("Only administrators, managers and CME officers keep capacities and the directory")


def require_places_updater(user: Any, provider: Any) -> None:
    if not may_update_places(user, provider):
        raise PermissionDenied("You can update the places of your own school only")


def require_request_answerer(user: Any, request: Any) -> None:
    if not may_answer_placement_request(user, request):
        raise PermissionDenied("Only the provider asked, or the authority's case officers, record the answer")


def require_screening_runner(user: Any) -> None:
    if not may_run_screening(user):
        raise PermissionDenied("Only managers and CME officers can run screening")


# -- what a person may see of a record ---------------------------------------------------------


def may_see_flag(user: Any, *, restricted: bool) -> bool:
    """A vulnerability flag (its name and detail): restricted ones (which people.models names)
    only for roles allowed."""
    return may_see_restricted(user) or not restricted


def may_see_address(user: Any, address: Any) -> bool:
    """A refuge address only for roles that may see restricted detail."""
    return may_see_restricted(user) or not address.is_refuge


def may_see_harm_detail(user: Any) -> bool:
    """What an officer wrote about a risk of significant harm."""
    return may_see_restricted(user)


def may_see_whole_child(user: Any) -> bool:
    """The authority's staff see the whole record; a school sees its own pupil's basic details
    and its own roll entries, nothing else (no addresses, contacts, flags or other schools)."""
    return is_la_staff(user)


def may_see_enrolment(user: Any, enrolment: Any) -> bool:
    return may_see_whole_child(user) or enrolment.provider_id == user.organisation_id


def stricter_reason_shown(user: Any, *, stricter: bool, shown_flags: Iterable[str],
                          stricter_flags: Iterable[str]) -> bool:
    """Say that the stricter screening thresholds applied only to someone who may see why: the
    reason is a flag, and a restricted one must not be inferred from the threshold."""
    return stricter and (may_see_restricted(user) or bool(set(shown_flags) & set(stricter_flags)))


def may_disclose_flags_to_peer(user: Any) -> bool:
    """Safeguarding flags go with a case sent to another authority only when the sender's own
    role sees restricted detail (issue 12, point 4): nobody passes on what they may not read."""
    return may_work_cases(user) and may_see_restricted(user)
