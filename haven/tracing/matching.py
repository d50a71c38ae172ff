"""Persons as the linkage engine sees them, their stored keys, and scoring candidates.

Every person's blocking keys are stored (people.PersonMatchKey, kept by people); a new or
changed record's keys find the few persons worth comparing, across all agencies, and the
engine scores them.
Who may see which result is for the selectors to decide.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count

from haven.core import crypto
from haven.linkage.dates import parse as parse_date
from haven.linkage.keys import stable_keys
from haven.linkage.model import Model, comparison_vectors
from haven.linkage.people import THRESHOLD, default_model, prior_shift
from haven.people.match_keys import SETTINGS, dataset, linked_values, person_record
from haven.people.models import Person, PersonMatchKey
from haven.tracing.labels import percent, translated

MAX_CANDIDATES = 500  # the most persons compared with one record


@dataclass
class Match:
    person: Person
    probability: float
    explanation: dict
    vector: list[int] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return percent(self.probability)

    def reasons(self) -> list[dict]:
        return translated(self.explanation)


_COUNT_FOR = 300.0  # seconds a person count is reused: it only sets the prior's scale
_count_cache: dict[str, tuple[float, int]] = {}


def _person_count() -> int:
    now = time.monotonic()
    seen = _count_cache.get("persons")
    if seen is None or now - seen[0] > _COUNT_FOR:
        seen = _count_cache["persons"] = (now, Person.objects.count())
    return seen[1]


_MODEL_FOR = 60.0  # seconds before a web worker looks for a newer calibrated model
_model_cache: dict[str, tuple[float, tuple[int, int], Model]] = {}


def current_model() -> Model:
    """The model lookups and the deduplication job score with (see `model_in_use`)."""
    return model_in_use()[0]


def model_in_use() -> tuple[Model, int]:
    """The latest model calibrated from caseworkers' decisions, else the shipped one, with
    what the last deduplication job measured of the persons held (`save_population`); and
    which calibrated model it starts from (its id, 0 for the shipped one).

    Each process looks for a newer one at most once a minute; `forget_model` makes the
    process that recalibrated use its result at once."""
    from haven.tracing.models import LinkageModel, PersonPopulation

    now = time.monotonic()
    seen = _model_cache.get("model")
    if seen is not None and now - seen[0] <= _MODEL_FOR:
        return seen[2], seen[1][0]
    latest = LinkageModel.objects.order_by("-id").first()
    population = PersonPopulation.objects.order_by("-id").first()
    version = (latest.pk if latest else 0, population.pk if population else 0)
    if seen is not None and seen[1] == version:
        model = seen[2]
    else:
        model = fresh_model().load(latest.parameters) if latest else default_model()
        if population is not None and population.key_check == _key_check():
            # The job's adaptation of this very model (its u for these persons), else the
            # model with the counts alone.
            adapted = population.parameters and population.model_version == version[0]
            model = fresh_model().load(population.parameters) if adapted else model.copy()
            model.use_profile(population.profile, population_digest)
    _model_cache["model"] = (now, version, model)
    return model, version[0]


def population_digest(text: str) -> str:
    """A value as the population profile keys it: a keyed digest, never the value."""
    return crypto.blind_index(f"linkage-tf:{text}")[:20]


def _key_check() -> str:
    return crypto.blind_index("linkage-tf:key check")


def save_population(model: Model, persons: int, version: int) -> None:
    """Keep the model the deduplication job adapted to the persons it read (from the model
    `version`) and the term frequencies it learnt, for lookups (only the latest is kept)."""
    from haven.tracing.models import PersonPopulation

    saved = PersonPopulation.objects.create(
        profile=model.term_frequency_profile(population_digest),
        parameters=model.to_dict(),
        model_version=version,
        persons=persons,
        key_check=_key_check(),
    )
    PersonPopulation.objects.exclude(pk=saved.pk).delete()
    forget_model()


def fresh_model() -> Model:
    """A copy of the shipped model, to calibrate without touching the one in use."""
    return Model(SETTINGS.comparisons).load(default_model().to_dict())


def forget_model() -> None:
    _model_cache.pop("model", None)


@dataclass
class ProbeKeys:
    """A probe's stored-key lookups: the keys small enough to read whole, and those of a
    windowed rule shared by more persons than its cap (read along the window)."""

    usable: list[str]
    crowded: dict[str, int]  # key: how many neighbours on each side


def probe_keys(probe) -> ProbeKeys:
    """The probe's keys sorted by how their blocks are read, the engine's caps applied (a
    key shared by more persons than its rule's cap serves no lookup on its own: a common
    name alone, say), with one count of the persons holding each."""
    rule_of = {key: rule for rule in SETTINGS.blocking for key in stable_keys(probe, [rule], 0)}
    if not rule_of:
        return ProbeKeys([], {})
    sizes = dict(
        PersonMatchKey.objects.filter(key__in=list(rule_of))
        .values("key")
        .annotate(persons=Count("person_id"))
        .values_list("key", "persons")
    )
    found = ProbeKeys([], {})
    for key, rule in rule_of.items():
        if sizes.get(key, 0) <= SETTINGS.block_cap(rule):
            found.usable.append(key)
        elif rule in SETTINGS.windows:
            found.crowded[key] = SETTINGS.windows[rule][1]
    return found


def usable_keys(probe) -> list[str]:
    """The probe's keys whose blocks are small enough to compare (see `probe_keys`)."""
    return probe_keys(probe).usable


def window_neighbours(record: dict, crowded: dict[str, int], exclude: set[int]) -> list[int]:
    """For each key of a windowed rule shared by more persons than its cap (`crowded`, a
    common name part), the persons the deduplication job's sorted window would put beside
    the record (`linkage.sorted_windows`): of its nationality, the `window` born nearest
    before and after it. A record without a year or a nationality meets no one this way."""
    year = parse_date(record.get("birth_date")).year
    nationality = record.get("nationality") or ""
    if not year or not nationality:
        return []
    born = dt.date(year, 1, 1)
    found: list[int] = []
    for key, window in crowded.items():
        holders = PersonMatchKey.objects.filter(key=key).values("person_id")
        alike = Person.objects.filter(pk__in=holders, nationalities__0=nationality).exclude(
            pk__in=exclude
        )
        after = alike.filter(birth_date__gte=born).order_by("birth_date", "pk")
        before = alike.filter(birth_date__lt=born).order_by("-birth_date", "-pk")
        for nearest in (after, before):
            found += nearest.values_list("pk", flat=True)[:window]
    return found


def find(
    record: dict,
    exclude: set[int] | None = None,
    threshold: float = THRESHOLD,
    among: Callable[[list[int]], set[int]] | None = None,
) -> list[Match]:
    """Persons of any agency likely to be the person described, best first.

    `among`, given the candidates' ids, keeps those that may be matched at all (for
    tracing: those whose consent allows it)."""
    probe = dataset([record])
    keys = probe_keys(probe)
    ids = list(
        PersonMatchKey.objects.filter(key__in=keys.usable)
        .exclude(person_id__in=exclude or set())
        .values_list("person_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    neighbours = window_neighbours(record, keys.crowded, exclude or set())
    ids += [pk for pk in neighbours if pk not in ids]
    if ids and among is not None:
        ids = sorted(among(ids))
    if not ids:
        return []
    persons = list(Person.objects.filter(pk__in=ids))
    linked = linked_values(ids)
    known = dataset([person_record(p, linked.get(p.pk, {})) for p in persons])
    model = current_model()
    zeros = np.zeros(len(persons), dtype=np.int64)
    vectors = comparison_vectors(SETTINGS.comparisons, probe, known, zeros, np.arange(len(persons)))
    shift = prior_shift(model, _person_count())
    scores = model.scores(vectors, probe, zeros) + shift
    probability = Model.probability(scores)
    tf_values = model.tf_values_of(probe, 0)
    found = []
    for i in np.argsort(-scores):
        if probability[i] < threshold:
            break
        explanation = model.explain(vectors[i], tf_values, shift)
        found.append(Match(persons[i], float(probability[i]), explanation, vectors[i].tolist()))
    return found
