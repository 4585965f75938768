"""The matching engine fed from the database: one in-memory index per authority, kept fresh.

Each web process holds, per authority (LA), an `engine.Index` of that authority's children only:
every child on the register (legal, preferred and former names, UPN and former UPNs, current
address) with where they are on roll now (a provider, the home-education list, or nowhere). A
pupil on a roll is a child on the register (the roll import attaches each pupil to a child), so
one index answers "is this child on any roll, on the home-education list or already known?".

Freshness: every change to a child, their names, addresses or enrolments bumps the authority's
`IndexState.version` and records an `IndexChange` (cme.matching.receivers), in the changing
transaction. Before each lookup a process reads that one row; when the version has moved it
reloads only the children changed since (a roll import records the provider, and the provider's
pupils are reloaded), or rebuilds when too much changed or the change log was pruned. So other
gunicorn workers see a roll import at their next lookup, not at their next restart.

The model (Fellegi–Sunter weights) is the newest file under CME_MATCHING_MODEL_DIR/<LA>/, made by
`cme matching-train`; with none, the first lookup trains one from the authority's own data, or
(below MIN_TRAIN_RECORDS, where an estimate would be the engine's starting values anyway) uses
the engine's defaults.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from cme.matching.engine import Choice, Evidence, Index, Matcher, Model, Person, choose_model, train

log = logging.getLogger(__name__)

# Fewer children than this and the engine's starting weights are as good as an estimate.
MIN_TRAIN_RECORDS = 1000
# How often a process looks for a newer model file.
MODEL_RECHECK_SECONDS = 60
# More changed children than this since the index was built: rebuild rather than patch.
MAX_INCREMENT = 20_000
# Candidates below this probability are not worth an officer's time.
MIN_PROBABILITY = 0.01
_CHUNK = 5000
# Record ids: "<child pk>" for the child as the register names them, "<pk>~<n>" for another
# reading of the same child (a further former name, a former UPN, the UPN on a roll).
_ALIAS = "~"


@dataclass(frozen=True)
class ProviderRef:
    id: int
    name: str
    kind: str
    laestab: str


@dataclass(frozen=True)
class Found:
    """One candidate child for a referral or search, with the engine's explanation."""

    child_id: int
    probability: float
    match_weight: float
    evidence: tuple[Evidence, ...]
    placement: str  # a cme.matching.models.Placement value
    providers: tuple[ProviderRef, ...]  # where the child is on roll now (the home-education list too)
    # The referral's surname and address are this child's household's: a brother or sister may
    # be the child referred, whatever the probability says of this one.
    household: bool = False


@dataclass
class _LaIndex:
    la_id: int
    lock: threading.RLock = field(default_factory=threading.RLock)
    token: str = ""
    version: int = -1
    matcher: Matcher | None = None
    model_path: str = ""
    model_checked: float = 0.0
    records_of: dict[int, list[str]] = field(default_factory=dict)
    providers_of: dict[int, tuple[int, ...]] = field(default_factory=dict)
    pupils_at: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    provider_info: dict[int, ProviderRef] = field(default_factory=dict)
    built_at: float = 0.0
    build_seconds: float = 0.0
    increments: int = 0


_indexes: dict[int, _LaIndex] = {}
_registry_lock = threading.Lock()


def reset() -> None:
    """Forget every index held by this process (tests; a command that swapped the model)."""
    with _registry_lock:
        _indexes.clear()


# ---------------------------------------------------------------------------------------------
# Reading children from the database


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _address(line1: str, line2: str, town: str) -> str:
    return ", ".join(p for p in (line1, line2, town) if p)


def _load(la_id: int, child_ids: Iterable[int] | None = None) -> tuple[dict[int, list[Person]], dict[int, tuple[int, ...]]]:
    """Records for the engine, per child, and the providers each child is on roll at now."""
    from cme.people.models import Address, Child, ChildName, FormerUPN, NameKind
    from cme.providers.models import Enrolment

    parts = [None] if child_ids is None else list(_chunks(sorted(set(child_ids))))
    people: dict[int, list[Person]] = {}
    on_roll: dict[int, tuple[int, ...]] = {}
    for part in parts:
        def scoped(qs, through_child=True, part=part):
            qs = qs.filter(child__la_id=la_id) if through_child else qs.filter(la_id=la_id)
            if part is not None:
                qs = qs.filter(**({"child_id__in": part} if through_child else {"pk__in": part}))
            return qs

        preferred: dict[int, tuple[str, str]] = {}
        former: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for cid, kind, fn, sn in scoped(ChildName.objects.order_by("child_id", "-used_from", "id")).values_list(
            "child_id", "kind", "forename", "surname"
        ).iterator(chunk_size=10_000):
            if kind == NameKind.PREFERRED:
                preferred.setdefault(cid, (fn, sn))
            else:
                former[cid].append((fn, sn))
        upns: dict[int, list[str]] = defaultdict(list)
        for cid, upn in scoped(FormerUPN.objects.all()).values_list("child_id", "upn").iterator(chunk_size=10_000):
            upns[cid].append(upn)
        addresses: dict[int, tuple[str, str]] = {}
        # A refuge address is never matched on: "same postcode" would tell where the child lives.
        current = scoped(Address.objects.filter(lived_to__isnull=True, is_refuge=False).order_by("child_id", "-lived_from", "-id"))
        for cid, l1, l2, town, pc in current.values_list("child_id", "line1", "line2", "town", "postcode").iterator(chunk_size=10_000):
            addresses.setdefault(cid, (_address(l1, l2, town), pc))
        providers: dict[int, list[int]] = defaultdict(list)
        enrolments = scoped(Enrolment.objects.filter(leaving_date__isnull=True))
        for cid, pid, upn in enrolments.values_list("child_id", "provider_id", "upn").iterator(chunk_size=10_000):
            providers[cid].append(pid)
            if upn:
                upns[cid].append(upn)
        children = scoped(Child.objects.all(), through_child=False).values_list(
            "pk", "legal_forename", "legal_middle_names", "legal_surname", "date_of_birth", "sex", "upn"
        )
        for pk, fn, middle, sn, dob, sex, upn in children.iterator(chunk_size=10_000):
            pref_fn, pref_sn = preferred.get(pk, ("", ""))
            formers = former.get(pk, [])
            address, postcode = addresses.get(pk, ("", ""))
            main = Person(
                id=str(pk), upn=upn, forename=fn, middle_names=middle, surname=sn,
                former_surname=formers[0][1] if formers else "",
                preferred_forename=pref_fn, preferred_surname=pref_sn,
                dob=dob, sex=sex, postcode=postcode, address=address,
            )
            records = [main]
            # Another former name, or a UPN the child was known by, is another reading of them.
            for fn2, sn2 in formers[1:]:
                records.append(_alias(main, len(records), forename=fn2 or fn, surname=sn2 or sn, former_surname=""))
            for other in dict.fromkeys(u for u in upns.get(pk, ()) if u and u != upn):
                records.append(_alias(main, len(records), upn=other))
            people[pk] = records
            if pk in providers:
                on_roll[pk] = tuple(dict.fromkeys(providers[pk]))
    return people, on_roll


def _alias(main: Person, n: int, **changes) -> Person:
    return replace(main, id=f"{main.id}{_ALIAS}{n}", **changes)


def _provider_refs(ids: Iterable[int]) -> dict[int, ProviderRef]:
    from cme.providers.models import Organisation

    out = {}
    for part in _chunks(sorted(set(ids))):
        for pk, name, kind, la_code, estab in Organisation.objects.filter(pk__in=part).values_list(
            "pk", "name", "kind", "la_code", "estab"
        ):
            out[pk] = ProviderRef(pk, name, kind, f"{la_code}{estab}" if la_code and estab else "")
    return out


def la_people(la_id: int) -> list[Person]:
    """Every record of the authority's index, as the engine reads them (training, benchmarks)."""
    people, _ = _load(la_id)
    return [p for records in people.values() for p in records]


# ---------------------------------------------------------------------------------------------
# Model files


def model_dir(la) -> Path:
    base = Path(getattr(settings, "CME_MATCHING_MODEL_DIR", Path(settings.DATA_DIR) / "matching"))
    return base / f"la-{la.la_code or la.pk}"


def newest_model_path(la) -> Path | None:
    folder = model_dir(la)
    if not folder.is_dir():
        return None
    files = sorted(folder.glob("model-*.json"))
    return files[-1] if files else None


def save_model(la, model: Model) -> Path:
    """Write the model as a new version; the newest file is the one in use."""
    folder = model_dir(la)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"model-{stamp}.json"
    partial = path.with_suffix(".part")
    model.save(partial)
    partial.replace(path)  # whole or not at all: another worker may be reading the folder
    return path


def child_of(record_id: str) -> str:
    """The child a record of the index reads ("123~2", a former UPN of child 123, → "123")."""
    return record_id.partition(_ALIAS)[0]


def train_model(la, people: list[Person] | None = None, index: Index | None = None, *, seed: int = 0,
                incumbent: Model | None = None) -> Choice:
    """Estimate weights from the authority's own children and referrals, and check the result
    against the model in use (or the engine's defaults) on labelled referrals made from the
    register: the trained model is chosen only if it does no worse."""
    from cme.matching import hooks

    people = la_people(la.pk) if people is None else people
    index = index or Index(people)
    referrals = hooks.training_referrals(la.pk)
    # EM on referrals against the register learns how often a referral is about a known child;
    # with few referrals it learns from the register itself (the same child on two rolls).
    trained = train(people, referrals if len(referrals) >= 200 else (), seed=seed, index=index)
    return choose_model(trained, incumbent, index, people, same_child=child_of, seed=seed)


# ---------------------------------------------------------------------------------------------
# The index of one authority


def _state_row(la_id: int) -> tuple[str, int, int]:
    from cme.matching.models import IndexState
    from cme.matching.services import index_version_read

    index_version_read()
    row = IndexState.objects.filter(la_id=la_id).values_list("token", "version", "pruned_through").first()
    if row is None:
        state, _ = IndexState.objects.get_or_create(la_id=la_id)
        row = (state.token, state.version, state.pruned_through)
    return str(row[0]), int(row[1]), int(row[2])


def _model_for(la, people: list[Person], index: Index) -> tuple[Model, str]:
    path = newest_model_path(la)
    if path is not None:
        try:
            return Model.load(path), str(path)
        except (ValueError, KeyError, OSError) as e:
            log.warning("Matching model %s unreadable (%s); using the engine's defaults", path, e)
            return Model(), ""
    if len(people) < MIN_TRAIN_RECORDS:
        return Model(), ""
    model = train_model(la, people, index).model
    return model, str(save_model(la, model))


def _build(ix: _LaIndex, token: str, version: int) -> None:
    from cme.providers.models import Organisation

    started = time.perf_counter()
    la = Organisation.objects.get(pk=ix.la_id)
    people, on_roll = _load(ix.la_id)
    records = [p for rs in people.values() for p in rs]
    index = Index(records)
    model, path = _model_for(la, records, index)
    ix.matcher = Matcher(model, index)
    ix.model_path, ix.model_checked = path, time.monotonic()
    ix.records_of = {pk: [p.id for p in rs] for pk, rs in people.items()}
    ix.providers_of = on_roll
    ix.pupils_at = defaultdict(set)
    for pk, pids in on_roll.items():
        for pid in pids:
            ix.pupils_at[pid].add(pk)
    ix.provider_info = _provider_refs(ix.pupils_at)
    ix.token, ix.version = token, version
    ix.built_at, ix.build_seconds, ix.increments = time.time(), time.perf_counter() - started, 0


def _apply(ix: _LaIndex, child_ids: set[int]) -> None:
    """Reload these children: changed, joined or left a roll, or no longer this authority's."""
    people, on_roll = _load(ix.la_id, child_ids)
    index = ix.matcher.index
    gone = [rid for pk in child_ids for rid in ix.records_of.pop(pk, ())]
    index.remove(gone)
    for pk in child_ids:
        for pid in ix.providers_of.pop(pk, ()):
            ix.pupils_at[pid].discard(pk)
    index.add([p for rs in people.values() for p in rs])
    for pk, rs in people.items():
        ix.records_of[pk] = [p.id for p in rs]
    for pk, pids in on_roll.items():
        ix.providers_of[pk] = pids
        for pid in pids:
            ix.pupils_at[pid].add(pk)
    new = {pid for pids in on_roll.values() for pid in pids} - ix.provider_info.keys()
    ix.provider_info.update(_provider_refs(new))
    ix.increments += 1


def _changed_children(ix: _LaIndex, since: int, until: int) -> set[int]:
    from cme.matching.models import IndexChange
    from cme.providers.models import Enrolment

    child_ids: set[int] = set()
    providers: set[int] = set()
    for cid, pid in IndexChange.objects.filter(la_id=ix.la_id, version__gt=since, version__lte=until).values_list(
        "child_id", "provider_id"
    ):
        if cid is not None:
            child_ids.add(cid)
        if pid is not None:
            providers.add(pid)
    if providers:
        # A roll import: everyone on the provider's roll before, and everyone with a stay there.
        for pid in providers:
            child_ids |= ix.pupils_at.get(pid, set())
        child_ids |= set(
            Enrolment.objects.filter(provider_id__in=providers, child__la_id=ix.la_id).values_list("child_id", flat=True)
        )
    return child_ids


def _refresh_model(ix: _LaIndex) -> None:
    from cme.providers.models import Organisation

    if time.monotonic() - ix.model_checked < MODEL_RECHECK_SECONDS:
        return
    ix.model_checked = time.monotonic()
    path = newest_model_path(Organisation.objects.get(pk=ix.la_id))
    if path is not None and str(path) != ix.model_path:
        try:
            ix.matcher.model = Model.load(path)
        except (ValueError, KeyError, OSError) as e:
            log.warning("Matching model %s unreadable (%s); keeping %s", path, e, ix.model_path)
            return
        ix.matcher.refresh_model()
        ix.model_path = str(path)


def index_for(la_id: int) -> _LaIndex:
    """The authority's index, built on first use and brought up to date with the database."""
    with _registry_lock:
        ix = _indexes.setdefault(la_id, _LaIndex(la_id))
    with ix.lock:
        token, version, pruned = _state_row(la_id)
        if ix.matcher is None or token != ix.token or ix.version < pruned:
            _build(ix, token, version)
        elif version > ix.version:
            changed = _changed_children(ix, ix.version, version)
            if len(changed) > MAX_INCREMENT:
                _build(ix, token, version)
            else:
                _apply(ix, changed)
                ix.version = version
        _refresh_model(ix)
    return ix


def placement_of(ix: _LaIndex, child_id: int) -> tuple[str, tuple[ProviderRef, ...]]:
    from cme.matching.models import Placement
    from cme.providers.models import OrgKind

    providers = tuple(ix.provider_info[p] for p in ix.providers_of.get(child_id, ()) if p in ix.provider_info)
    if any(p.kind != OrgKind.HOME_EDUCATION for p in providers):
        return Placement.ON_ROLL, providers
    if providers:
        return Placement.HOME_EDUCATION, providers
    return Placement.REGISTER_ONLY, ()


def match(*, la_id: int, person: Person, limit: int = 10, min_probability: float = MIN_PROBABILITY) -> list[Found]:
    """Candidates for one referral or search among the authority's children, best first.

    A child read several ways (a former UPN, a second former name) counts once, by its best
    reading, so that the child's own aliases never compete with it as "others who fit too".
    """
    ix = index_for(la_id)
    with ix.lock:
        found = ix.matcher.rank(person, limit=limit, min_probability=min_probability, same_child=child_of)
        out = []
        for c in found:
            child_id = int(child_of(c.id))
            placement, providers = placement_of(ix, child_id)
            out.append(Found(child_id, c.probability, c.match_weight, c.evidence, placement, providers, c.household))
        return out


def stats(la_id: int) -> dict:
    """What the process holds for the authority (benchmarks, diagnostics)."""
    ix = index_for(la_id)
    return {
        "records": len(ix.matcher.index), "children": len(ix.records_of), "version": ix.version,
        "build_seconds": ix.build_seconds, "increments": ix.increments, "model": ix.model_path,
        "index_nbytes": ix.matcher.index.nbytes(),
    }
