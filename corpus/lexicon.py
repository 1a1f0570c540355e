"""The unit lexicon: every unit named in the records and how people name them.

Two maps:

* ``canonical``: written form → canonical unit (``财政局`` → ``旗财政局``), so that
  grouping and filtering treat variants of one unit as one;
* ``aliases``: what people type → the canonical units it may mean. An ambiguous
  short form (``供电公司``) maps to every candidate, never to an arbitrary one.

Rules generate what they can (short forms without the county prefix ``旗``, the
``伊旗`` / ``伊金霍洛旗`` prefixes, city prefixes); ``data/unit_aliases.tsv`` holds
the curated rest (former and colloquial names), each line commented.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from corpus.records import TaskRecord

# Prefixes people drop or swap: the county's names and the city/region above it.
COUNTY_PREFIXES = ("伊金霍洛旗", "伊金霍洛", "伊旗", "旗")
REGION_PREFIXES = ("内蒙古鄂尔多斯", "鄂尔多斯市", "鄂尔多斯", "内蒙古")
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

    def canon(self, name: str) -> str:
        """The canonical form of a written unit name (itself when unknown)."""
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
        if len(cols) < 3 or cols[0] not in ("same", "alias"):
            raise ValueError(f"unit_aliases.tsv: bad line {line!r}")
        rows.append((cols[0], cols[1].strip(), tuple(t.strip() for t in cols[2].split("|") if t.strip())))
    return rows


def _strip_prefix(name: str, prefixes: Iterable[str]) -> str | None:
    for p in prefixes:
        if name.startswith(p) and len(name) - len(p) >= _MIN_ALIAS_LEN:
            return name[len(p) :]
    return None


def _generated_canonical(written: Counter[str]) -> dict[str, str]:
    """Variants the rules can tell apart.

    ``财政局`` → ``旗财政局``; ``伊金霍洛供电公司`` → ``伊金霍洛旗供电公司``; ``移动`` → ``移动公司``.
    """
    canon: dict[str, str] = {}
    for name in written:
        candidates = [f"旗{name}", f"伊金霍洛旗{name}", f"{name}公司"]
        if name.startswith("伊金霍洛") and not name.startswith("伊金霍洛旗"):
            candidates.append("伊金霍洛旗" + name[len("伊金霍洛") :])
        for cand in candidates:
            if cand != name and cand in written:
                canon[name] = cand
                break
    return canon


def _generated_aliases(unit: str) -> set[str]:
    out = {unit}
    regional = _strip_prefix(unit, REGION_PREFIXES)
    if regional:
        # 鄂尔多斯供电公司 is also a 供电公司, but never an 伊旗供电公司.
        out.add(regional)
        return out
    base = _strip_prefix(unit, COUNTY_PREFIXES)
    if base and not base.startswith(("委", "直", "内")):
        out |= {base, f"旗{base}", f"伊旗{base}", f"伊金霍洛旗{base}", f"伊金霍洛{base}"}
        if base.endswith("局") and len(base) >= 3:
            out.add(base[:-1] + "部门")
    return out


def build_lexicon(records: Iterable[TaskRecord]) -> UnitLexicon:
    """Build the lexicon from the records' units plus the curated table."""
    written: Counter[str] = Counter()
    for r in records:
        written.update(r.lead_units)
        written.update(r.responsible_units)
    canonical = _generated_canonical(written)
    curated = _curated()
    for kind, name, targets in curated:
        if kind == "same" and name in written:
            canonical[name] = targets[0]
    # Resolve chains (a → b → c) so that every written form maps to a final unit.
    for name in list(canonical):
        seen = {name}
        target = canonical[name]
        while target in canonical and target not in seen:
            seen.add(target)
            target = canonical[target]
        canonical[name] = target
    for name in written:
        canonical.setdefault(name, name)
    units = tuple(sorted(set(canonical.values()), key=lambda u: (-written[u], u)))
    aliases: dict[str, set[str]] = defaultdict(set)
    for name, unit in canonical.items():
        for alias in _generated_aliases(name):
            aliases[alias].add(unit)
    known = set(units)
    for kind, name, targets in curated:
        if kind != "alias":
            continue
        resolved = {canonical.get(t, t) for t in targets} & known
        if resolved:
            # A curated alias overrides generated guesses for the same string.
            aliases[name] = set(resolved)
    return UnitLexicon(
        units=units,
        canonical=dict(canonical),
        aliases={a: frozenset(u) for a, u in aliases.items()},
    )
