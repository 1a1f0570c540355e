"""The unit lexicon: every unit named in the records and how people name them.

Two maps:

* ``canonical``: written form → canonical unit (``财政局`` → ``旗财政局``), so that
  grouping and filtering treat variants of one unit as one;
* ``aliases``: what people type → the canonical units it may mean. An ambiguous
  short form (``供电公司``, or ``税务局`` when several plans have one) maps to every
  candidate, never to an arbitrary one.

Rules generate what they can from each plan's places (``corpus.profile.Places``): short
forms without the region's prefix (旗法院 → 法院), the region's other names as prefixes
(伊旗 / 伊金霍洛旗 + 法院), the regions above it stripped (鄂尔多斯供电公司 → 供电公司).
``data/unit_aliases.tsv`` holds the curated rest (former and colloquial names), each line
commented; a curated alias of one plan's unit also means the unit of the same kind in
the other plans (市监局 → 旗市场监管局 and 市市场监管局). Each plan's units also get their short names by
rule (``corpus.abbrev``: 市发展改革委 → 发改委, 市发改委; 市人力资源社会保障局 → 人社局), unless two units of
the plan would share one. A plan's override file may add its own (``unit_aliases``).

When the same written name means different units in different plans (a bare 财政局), the
plain ``canonical`` map keeps the first plan's reading and ``scoped`` holds each plan's:
``canon(name, doc_id=…)`` reads it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from corpus.abbrev import short_names
from corpus.profile import Places, PlanProfile
from corpus.records import TaskRecord

_MIN_ALIAS_LEN = 2


@dataclass(frozen=True, slots=True)
class UnitMention:
    """A unit alias found in a text."""

    alias: str
    start: int
    end: int
    units: frozenset[str]

    @property
    def ambiguous(self) -> bool:
        return len(self.units) > 1


@dataclass(frozen=True, slots=True)
class UnitLexicon:
    """Canonical units, variant spellings and aliases."""

    units: tuple[str, ...]
    canonical: Mapping[str, str]
    aliases: Mapping[str, frozenset[str]]
    scoped: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # doc_id → written → canonical

    def canon(self, name: str, doc_id: str | None = None) -> str:
        """The canonical form of a written unit name (itself when unknown), read in ``doc_id``'s plan."""
        if doc_id is not None:
            scoped = self.scoped.get(doc_id)
            if scoped is not None and name in scoped:
                return scoped[name]
        return self.canonical.get(name, name)

    def resolve(self, alias: str) -> frozenset[str]:
        """Every canonical unit an alias may mean; empty when unknown."""
        alias = alias.strip()
        if alias in self.aliases:
            return self.aliases[alias]
        if alias in self.canonical:
            return frozenset({self.canonical[alias]})
        return frozenset()

    def find(self, text: str) -> list[UnitMention]:
        """Unit mentions in ``text``, longest alias first, non-overlapping, left to right."""
        out: list[UnitMention] = []
        i = 0
        longest = max((len(a) for a in self.aliases), default=0)
        while i < len(text):
            for n in range(min(longest, len(text) - i), _MIN_ALIAS_LEN - 1, -1):
                piece = text[i : i + n]
                units = self.aliases.get(piece)
                if units:
                    out.append(UnitMention(piece, i, i + n, units))
                    i += n
                    break
            else:
                i += 1
        return out


def _curated() -> list[tuple[str, str, tuple[str, ...]]]:
    text = resources.files("corpus").joinpath("data/unit_aliases.tsv").read_text(encoding="utf-8")
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    for line in text.splitlines():
        body = line.split("#", 1)[0].rstrip()
        if not body.strip():
            continue
        cols = body.split("\t")
        if len(cols) < 3 or cols[0] not in ("same", "alias", "kind"):
            raise ValueError(f"unit_aliases.tsv: bad line {line!r}")
        rows.append((cols[0], cols[1].strip(), tuple(t.strip() for t in cols[2].split("|") if t.strip())))
    return rows


def _strip_prefix(name: str, prefixes: Iterable[str]) -> str | None:
    for p in prefixes:
        if name.startswith(p) and len(name) - len(p) >= _MIN_ALIAS_LEN:
            return name[len(p) :]
    return None


def _generated_canonical(written: Counter[str], places: Places) -> dict[str, str]:
    """Variants the rules can tell apart within one plan.

    ``财政局`` → ``旗财政局``; ``伊金霍洛供电公司`` → ``伊金霍洛旗供电公司``; ``移动`` → ``移动公司``.
    """
    level, names = places.level, places.names
    full = names[0] if names else ""
    base = names[1] if len(names) > 1 else ""
    canon: dict[str, str] = {}
    for name in written:
        candidates = [f"{level}{name}" if level else "", f"{full}{name}" if full else "", f"{name}公司"]
        if base and full and name.startswith(base) and not name.startswith(full):
            candidates.append(full + name[len(base) :])
        for cand in candidates:
            if cand and cand != name and cand in written:
                canon[name] = cand
                break
    return canon


def _kind(unit: str, places: Places) -> str:
    """The unit without its region's prefix (旗市场监管局 → 市场监管局): what units of several plans share."""
    return _strip_prefix(unit, places.local) or unit


def _generated_aliases(unit: str, places: Places) -> set[str]:
    out = {unit}
    if unit.startswith("各") and len(unit) >= 4:
        out.add(unit[1:])  # 各燃气企业: a 燃气企业
    regional = _strip_prefix(unit, places.parents)
    if regional:
        # 鄂尔多斯供电公司 is also a 供电公司, but never an 伊旗供电公司.
        out.add(regional)
        return out
    base = _strip_prefix(unit, places.local)
    if base and not base.startswith(("委", "直", "内")):
        out |= {base, *(f"{p}{base}" for p in places.local)}
        if base.endswith("局") and len(base) >= 3:
            out.add(base[:-1] + "部门")
    return out


def _add_short_names(
    aliases: dict[str, set[str]], units: set[str], places: Places, doc_of: Mapping[str, str]
) -> None:
    """Add the short names of one plan's units (``corpus.abbrev``: 市发展改革委 → 发改委, 市发改委), bare and
    with the region's prefixes. A short name two of the plan's units share, or one that already names another
    unit of the plan, is ambiguous there and not added."""
    found: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        base = _strip_prefix(unit, places.local) or unit
        if base.startswith(("委", "直", "内")):
            continue
        for short in short_names(base):
            for alias in (short, *(f"{p}{short}" for p in places.local)):
                if alias != unit:
                    found[alias].add(unit)
    for alias, mine in found.items():
        if len(mine) != 1:
            continue
        (unit,) = mine
        doc = doc_of[unit]
        if any(doc_of.get(u) == doc and u != unit for u in aliases.get(alias, ())):
            continue
        aliases[alias].add(unit)


# The last character of a unit's name (局, 院, 委 …): a short name ending so names a kind of unit.
_UNIT_ENDS = frozenset("局院委办会联行署队站所厅关司心部处室组团")


def _across_plans(aliases: dict[str, set[str]], units_of: Mapping[str, set[str]]) -> None:
    """A short name one plan's units go by also means, in a plan where it names none, that plan's units
    whose names contain it (法院: 旗法院, and 州中级人民法院 in a plan that has no 法院 of that name)."""
    for alias, units in list(aliases.items()):
        # A field's department word (数据部门, 交通部门) names the units whose names hold its field (州数据局;
        # 市政务服务和数据管理局 in a plan whose data work sits in a joint bureau).
        field = alias[:-2] if alias.endswith("部门") and len(alias) >= 4 else ""
        if len(alias) < 2 or (alias[-1] not in _UNIT_ENDS and not field):
            continue
        for mine in units_of.values():
            if units & mine:
                continue
            found = {u for u in mine if (field or alias) in u and u != alias}
            if not found and len(alias) >= 3:
                # A short form made of the full name's characters in order (人社局: 人力资源社会保障局,
                # 发改委: 发展改革委): the one unit of the plan it abbreviates, if only one.
                found = {u for u in mine if _abbreviates(alias, u)}
                if len(found) > 1:
                    found = set()
            if found:
                units |= found


def _kinds_alike(
    aliases: dict[str, set[str]],
    groups: Iterable[tuple[str, ...]],
    units_of: Mapping[str, set[str]],
    levels: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """With several plans, words for one kind of unit (供电局, 供电公司 …: ``kind`` rows of unit_aliases.tsv)
    name, in a plan where a word names none of its units, that plan's units whose names contain a word of the
    group (云岭供电局 for 供电公司, 国网青川供电公司 for 供电局). With a plan's region or level prefix
    (``levels``: 州, 云岭州; 州中院) a word names only that plan's units of the kind."""
    prefixed: dict[str, set[str]] = defaultdict(set)
    for group in groups:
        for doc, mine in units_of.items():
            found = {u for u in mine if any(w in u for w in group)}
            found |= {u for w in group for u in aliases.get(w, ()) if u in mine}
            if not found:
                continue
            for w in group:
                if not aliases.get(w, set()) & mine:
                    aliases[w] |= found
                for p in (levels or {}).get(doc, ()):
                    prefixed[p + w] |= found
    for name, found in prefixed.items():
        if not aliases.get(name):
            aliases[name] = found


def _abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` takes ``name``'s characters in order, from the start of the name proper (after a
    one-character level such as 市 / 州 / 旗) to its last character (人社局 and 市人力资源社会保障局)."""
    core = name[1:] if len(name) > len(short) + 1 and name[0] in "市州旗县区盟省" else name
    if len(core) <= len(short) or core[0] != short[0] or core[-1] != short[-1]:
        return False
    it = iter(core)
    return all(c in it for c in short)


def _resolve_chains(canonical: dict[str, str]) -> None:
    """Resolve chains (a → b → c) so that every written form maps to a final unit."""
    for name in list(canonical):
        seen = {name}
        target = canonical[name]
        while target in canonical and target not in seen:
            seen.add(target)
            target = canonical[target]
        canonical[name] = target


def default_places(doc_ids: Iterable[str]) -> dict[str, Places]:
    """Each plan's places from the shipped corpus's profiles.

    Records of a plan the shipped corpus does not hold (synthetic records in tests, records built from
    another folder) get every shipped plan's places merged.
    """
    from corpus.loader import shipped_profiles

    profiles = {p.doc_id: p.places for p in shipped_profiles()}
    merged = Places(
        local=tuple(dict.fromkeys(x for pl in profiles.values() for x in pl.local)),
        parents=tuple(dict.fromkeys(x for pl in profiles.values() for x in pl.parents)),
    )
    return {d: profiles.get(d, merged) for d in doc_ids}


def build_lexicon(
    records: Iterable[TaskRecord],
    *,
    places: Mapping[str, Places] | None = None,
    extra_aliases: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
) -> UnitLexicon:
    """Build the lexicon from the records' units, each plan's places and the curated tables.

    Args:
        records: the task records of one or more plans.
        places: doc_id → the plan's places (``PlanProfile.places``); None reads the shipped plans'
            profiles (see :func:`default_places`).
        extra_aliases: doc_id → alias → written unit names of that plan (a profile's ``unit_aliases``).
    """
    records = list(records)
    written_by_doc: dict[str, Counter[str]] = defaultdict(Counter)
    written: Counter[str] = Counter()
    for r in records:
        written_by_doc[r.doc_id].update(r.lead_units)
        written_by_doc[r.doc_id].update(r.responsible_units)
        written.update(r.lead_units)
        written.update(r.responsible_units)
    if places is None:
        places = default_places(written_by_doc)
    curated = _curated()
    scoped: dict[str, dict[str, str]] = {}
    for doc_id, counts in written_by_doc.items():
        canonical = _generated_canonical(counts, places.get(doc_id, Places()))
        for kind, name, targets in curated:
            if kind == "same" and name in counts:
                canonical[name] = targets[0]
        _resolve_chains(canonical)
        for name in counts:
            canonical.setdefault(name, name)
        scoped[doc_id] = canonical
    merged: dict[str, str] = {}
    for canonical in scoped.values():
        for name, unit in canonical.items():
            merged.setdefault(name, unit)
    conflicts = {
        doc_id: {n: u for n, u in canonical.items() if merged[n] != u} for doc_id, canonical in scoped.items()
    }
    doc_of: dict[str, str] = {}
    for doc_id, canonical in scoped.items():
        for unit in canonical.values():
            doc_of.setdefault(unit, doc_id)
    all_units = {u for canonical in scoped.values() for u in canonical.values()}
    units = tuple(sorted(all_units, key=lambda u: (-written[u], u)))
    aliases: dict[str, set[str]] = defaultdict(set)
    for doc_id, canonical in scoped.items():
        pl = places.get(doc_id, Places())
        for name, unit in canonical.items():
            for alias in _generated_aliases(name, pl):
                aliases[alias].add(unit)
    for doc_id, canonical in scoped.items():
        _add_short_names(aliases, set(canonical.values()), places.get(doc_id, Places()), doc_of)
    kinds: dict[str, set[str]] = defaultdict(set)
    for unit in all_units:
        kinds[_kind(unit, places.get(doc_of[unit], Places()))].add(unit)
    for kind, name, targets in curated:
        if kind != "alias":
            continue
        resolved = {merged.get(t, t) for t in targets} & all_units
        same_kind = {
            u
            for t in resolved
            for u in kinds[_kind(t, places.get(doc_of[t], Places()))]
            if doc_of[u] != doc_of[t]
        }
        if resolved:
            # A curated alias overrides generated guesses for the same string in its own plan; other plans'
            # generated readings stay (供电局: a 供电公司 in one plan, 云岭供电局 in another).
            own = {doc_of[t] for t in resolved}
            others = {u for u in aliases.get(name, set()) if doc_of[u] not in own}
            aliases[name] = resolved | same_kind | others
    for doc_id, table in (extra_aliases or {}).items():
        canonical = scoped.get(doc_id, {})
        for name, targets in table.items():
            resolved = {canonical.get(t, t) for t in targets} & all_units
            if resolved:
                aliases[name] = aliases.get(name, set()) | resolved
    units_of = {d: set(c.values()) for d, c in scoped.items()}
    if len(scoped) > 1:
        _across_plans(aliases, units_of)
        _kinds_alike(
            aliases,
            [(name, *targets) for kind, name, targets in curated if kind == "kind"],
            units_of,
            {d: places.get(d, Places()).local for d in units_of},
        )
    return UnitLexicon(
        units=units,
        canonical=merged,
        aliases={a: frozenset(u) for a, u in aliases.items()},
        scoped={d: c for d, c in conflicts.items() if c},
    )


def plan_lexicon(records: Iterable[TaskRecord], plans: Sequence[PlanProfile]) -> UnitLexicon:
    """The lexicon of records whose plans' profiles are known (an index's ``plans.json``): each plan's places
    and its override file's unit aliases. A plan whose profile names no places (``PlanProfile.bare``: records
    built without their plan file) reads them from the shipped plans (:func:`default_places`)."""
    records = list(records)
    docs = list(dict.fromkeys(r.doc_id for r in records))
    known = {p.doc_id: p for p in plans}
    unknown = [d for d in docs if d not in known or not known[d].places.local]
    places = default_places(unknown) if unknown else {}
    places.update({d: known[d].places for d in docs if d in known and known[d].places.local})
    extra = {p.doc_id: dict(p.unit_aliases) for p in plans if p.unit_aliases}
    return build_lexicon(records, places=places, extra_aliases=extra)
