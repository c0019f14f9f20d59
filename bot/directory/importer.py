"""Loads a directory YAML file into the database, after checking all of it.

Every problem is reported with its line and field, all at once, and nothing is written
unless the whole file is valid. Records are matched by `code`, so importing the same
file again updates instead of duplicating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory.windows import format_window, parse_window
from bot.store.tables import (
    Contact,
    Municipality,
    Organisation,
    PostcodeRange,
    Schedule,
    Team,
    Volunteer,
)

LANGUAGE_CODES = {"nl", "tr", "ar", "pap", "en", "ber", "so", "ti", "fa", "pl", "es", "fr"}
ORGANISATION_KINDS = {"migrantenorganisatie", "moskee", "kerk", "buurthuis", "vereniging"}
_CODE = re.compile(r"^[a-z0-9][a-z0-9\-]{1,58}$")
_AREA = re.compile(r"^([1-9]\d{3})(?:\s*-\s*([1-9]\d{3}))?$")


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class DirectoryError(Exception):
    def __init__(self, path: str, problems: List[Problem]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {path}: {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in {path}, nothing imported:\n{listed}")


class _Checker:
    """Walks the parsed YAML, remembering line numbers, collecting problems."""

    def __init__(self) -> None:
        self.problems: List[Problem] = []

    @staticmethod
    def line_of(node: Any, key: Any = None) -> int:
        lc = getattr(node, "lc", None)
        if lc is None:
            return 0
        if key is not None:
            try:
                return (lc.key(key) if isinstance(key, str) else lc.item(key))[0] + 1
            except (KeyError, IndexError, TypeError):
                pass
        return lc.line + 1

    def fail(self, node: Any, key: Any, field: str, message: str) -> None:
        self.problems.append(Problem(self.line_of(node, key), field, message))

    def text(self, node: Dict, key: str, where: str, required: bool = True) -> str | None:
        value = node.get(key) if isinstance(node, dict) else None
        if value is None or str(value).strip() == "":
            if required:
                self.fail(node, None, f"{where}.{key}", "is missing")
            return None
        return str(value).strip()

    def code(self, node: Dict, where: str, seen: set) -> str | None:
        value = self.text(node, "code", where)
        if value is None:
            return None
        if not _CODE.match(value):
            self.fail(node, "code", f"{where}.code", f"{value!r}: use lower-case letters, digits and '-'")
        elif value in seen:
            self.fail(node, "code", f"{where}.code", f"{value!r} is used twice")
        seen.add(value)
        return value

    def items(self, node: Dict, key: str, where: str, required: bool = False) -> List[Any]:
        value = node.get(key) if isinstance(node, dict) else None
        if value is None:
            if required:
                self.fail(node, None, f"{where}.{key}", "is missing")
            return []
        if not isinstance(value, list):
            self.fail(node, key, f"{where}.{key}", "must be a list")
            return []
        return value

    def each(self, node: Dict, key: str, where: str, check: Callable[[Any, str], Any], required: bool = False) -> List[Any]:
        results = []
        for index, item in enumerate(self.items(node, key, where, required)):
            field = f"{where}.{key}[{index}]"
            try:
                results.append(check(item, field))
            except ValueError as e:
                self.fail(node[key], index, field, str(e))
        return results

    def languages(self, node: Dict, where: str) -> str | None:
        codes = self.each(node, "languages", where, _language, required=True)
        return " ".join(codes) if codes else None

    def windows(self, node: Dict, key: str, where: str) -> list:
        """Weekly windows; at least one, so "open again at ..." and "free at ..." always have an answer."""
        return [w for group in self.each(node, key, where, lambda item, _: parse_window(item), required=True)
                for w in group]


def _language(item: Any, _field: str) -> str:
    code = str(item).strip().lower()
    if code not in LANGUAGE_CODES:
        raise ValueError(f"{item!r} is not a language code we know (ISO 639: nl, tr, ar, pap, ...)")
    return code


def _area(item: Any, _field: str) -> tuple[int, int]:
    match = _AREA.match(str(item).strip())
    if not match:
        raise ValueError(f"{item!r} is not a postcode area (4 digits, e.g. 3531 or 3072-3073)")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise ValueError(f"{item!r}: the range runs backwards")
    return first, last


@dataclass
class Parsed:
    municipalities: list
    organisations: list


def parse(path: str | Path) -> Parsed:
    """Reads and checks a directory file; raises DirectoryError listing every problem."""
    name = str(path)
    try:
        data = YAML(typ="rt").load(Path(path).read_text(encoding="utf-8"))
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise DirectoryError(name, [Problem(line, "(file)", f"not valid YAML: {getattr(e, 'problem', e)}")]) from None
    except OSError as e:
        raise DirectoryError(name, [Problem(0, "(file)", str(e))]) from None
    if not isinstance(data, dict):
        raise DirectoryError(name, [Problem(1, "(file)", "expected 'municipalities:' and 'organisations:'")])

    check = _Checker()
    codes: Dict[str, set] = {kind: set() for kind in ("municipality", "team", "contact", "organisation", "volunteer")}
    municipalities = []
    for m_index, m in enumerate(check.items(data, "municipalities", "municipalities", required=True)):
        where = f"municipalities[{m_index}]"
        teams = []
        for t_index, t in enumerate(check.items(m, "teams", where, required=True)):
            t_where = f"{where}.teams[{t_index}]"
            contacts = [
                dict(
                    code=check.code(c, f"{t_where}.contacts[{i}]", codes["contact"]),
                    name=check.text(c, "name", f"{t_where}.contacts[{i}]"),
                    languages=check.languages(c, f"{t_where}.contacts[{i}]"),
                    availability=check.windows(c, "availability", f"{t_where}.contacts[{i}]"),
                    telegram_chat_id=check.text(c, "telegram_chat_id", f"{t_where}.contacts[{i}]", required=False),
                )
                for i, c in enumerate(check.items(t, "contacts", t_where))
            ]
            teams.append(dict(
                code=check.code(t, t_where, codes["team"]),
                name=check.text(t, "name", t_where),
                address=check.text(t, "address", t_where),
                phone=check.text(t, "phone", t_where),
                areas=check.each(t, "postcodes", t_where, _area, required=True),
                opening_hours=check.windows(t, "opening_hours", t_where),
                contacts=contacts,
                line=check.line_of(t),
            ))
        municipalities.append(dict(
            code=check.code(m, where, codes["municipality"]),
            name=check.text(m, "name", where),
            phone=check.text(m, "phone", where),
            teams=teams,
        ))

    organisations = []
    for o_index, o in enumerate(check.items(data, "organisations", "organisations")):
        where = f"organisations[{o_index}]"
        kind = check.text(o, "kind", where)
        if kind and kind not in ORGANISATION_KINDS:
            check.fail(o, "kind", f"{where}.kind", f"{kind!r}: one of {', '.join(sorted(ORGANISATION_KINDS))}")
        volunteers = []
        for v_index, v in enumerate(check.items(o, "volunteers", where)):
            v_where = f"{where}.volunteers[{v_index}]"
            maximum = v.get("max_open_handoffs", 3) if isinstance(v, dict) else 3
            if not isinstance(maximum, int) or maximum < 1:
                check.fail(v, "max_open_handoffs", f"{v_where}.max_open_handoffs", "must be a whole number of 1 or more")
            active = v.get("active", True) if isinstance(v, dict) else True
            if not isinstance(active, bool):
                check.fail(v, "active", f"{v_where}.active", "must be true or false")
            volunteers.append(dict(
                code=check.code(v, v_where, codes["volunteer"]),
                name=check.text(v, "name", v_where),
                languages=check.languages(v, v_where),
                teams=[str(t) for t in check.items(v, "teams", v_where, required=True)],
                availability=check.windows(v, "availability", v_where),
                max_open_handoffs=maximum,
                active=active,
                telegram_chat_id=check.text(v, "telegram_chat_id", v_where, required=False),
                node=v,
                where=v_where,
            ))
        organisations.append(dict(code=check.code(o, where, codes["organisation"]), name=check.text(o, "name", where), kind=kind, volunteers=volunteers))

    # Cross references: a volunteer's teams exist; no postcode area is served twice.
    for o in organisations:
        for v in o["volunteers"]:
            for index, team in enumerate(v["teams"]):
                if team not in codes["team"]:
                    check.fail(v["node"]["teams"], index, f"{v['where']}.teams[{index}]", f"no team with code {team!r}")
    served: Dict[int, str] = {}
    for m in municipalities:
        for t in m["teams"]:
            for first, last in t["areas"]:
                for area in range(first, last + 1):
                    if area in served and served[area] != t["code"]:
                        check.problems.append(Problem(t["line"], f"team {t['code']}.postcodes", f"{area} is already served by team {served[area]}"))
                        break
                    served[area] = t["code"]
    if check.problems:
        raise DirectoryError(name, check.problems)
    return Parsed(municipalities, organisations)


def _schedules(windows: list) -> List[Schedule]:
    return [Schedule(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute) for w in windows]


def _upsert(session: Session, model, code: str):
    found = session.execute(select(model).where(model.code == code)).scalar_one_or_none()
    if found is None:
        found = model(code=code)
        session.add(found)
    return found


def load(session: Session, parsed: Parsed) -> Dict[str, int]:
    """Writes a checked directory (insert or update by code); returns counts."""
    counts = {"municipalities": 0, "teams": 0, "contacts": 0, "organisations": 0, "volunteers": 0}
    teams_by_code: Dict[str, Team] = {}
    for m in parsed.municipalities:
        municipality = _upsert(session, Municipality, m["code"])
        municipality.name, municipality.phone = m["name"], m["phone"]
        counts["municipalities"] += 1
        for t in m["teams"]:
            team = _upsert(session, Team, t["code"])
            team.municipality = municipality
            team.name, team.address, team.phone = t["name"], t["address"], t["phone"]
            team.postcode_ranges = [PostcodeRange(first=a, last=b) for a, b in t["areas"]]
            team.opening_hours = _schedules(t["opening_hours"])
            teams_by_code[t["code"]] = team
            counts["teams"] += 1
            for c in t["contacts"]:
                contact = _upsert(session, Contact, c["code"])
                contact.team = team
                contact.name, contact.languages = c["name"], c["languages"]
                contact.active = True
                contact.telegram_chat_id = c["telegram_chat_id"] or contact.telegram_chat_id
                contact.availability = _schedules(c["availability"])
                counts["contacts"] += 1
    session.flush()
    for o in parsed.organisations:
        organisation = _upsert(session, Organisation, o["code"])
        organisation.name, organisation.kind = o["name"], o["kind"]
        counts["organisations"] += 1
        for v in o["volunteers"]:
            volunteer = _upsert(session, Volunteer, v["code"])
            volunteer.organisation = organisation
            volunteer.name, volunteer.languages = v["name"], v["languages"]
            volunteer.max_open_handoffs, volunteer.active = v["max_open_handoffs"], v["active"]
            volunteer.telegram_chat_id = v["telegram_chat_id"] or volunteer.telegram_chat_id
            volunteer.teams = [
                teams_by_code.get(code) or session.execute(select(Team).where(Team.code == code)).scalar_one()
                for code in v["teams"]
            ]
            volunteer.availability = _schedules(v["availability"])
            counts["volunteers"] += 1
    return counts


def export(session: Session) -> Dict[str, Any]:
    """The directory as the same YAML structure `load` reads."""
    def windows(schedules):
        return [format_window(s) for s in sorted(schedules, key=lambda s: (s.weekday, s.start_minute))]

    def areas(team):
        return [str(r.first) if r.first == r.last else f"{r.first}-{r.last}" for r in sorted(team.postcode_ranges, key=lambda r: r.first)]

    municipalities = []
    for m in session.execute(select(Municipality).order_by(Municipality.code)).scalars():
        municipalities.append({
            "code": m.code, "name": m.name, "phone": m.phone,
            "teams": [
                {
                    "code": t.code, "name": t.name, "address": t.address, "phone": t.phone,
                    "postcodes": areas(t), "opening_hours": windows(t.opening_hours),
                    "contacts": [
                        {"code": c.code, "name": c.name, "languages": c.languages.split(), "availability": windows(c.availability)}
                        for c in sorted(t.contacts, key=lambda c: c.code)
                    ],
                }
                for t in sorted(m.teams, key=lambda t: t.code)
            ],
        })
    organisations = []
    for o in session.execute(select(Organisation).order_by(Organisation.code)).scalars():
        volunteers = session.execute(select(Volunteer).where(Volunteer.organisation_id == o.id).order_by(Volunteer.code)).scalars()
        organisations.append({
            "code": o.code, "name": o.name, "kind": o.kind,
            "volunteers": [
                {
                    "code": v.code, "name": v.name, "languages": v.languages.split(),
                    "teams": sorted(t.code for t in v.teams), "availability": windows(v.availability),
                    "max_open_handoffs": v.max_open_handoffs, "active": v.active,
                }
                for v in volunteers
            ],
        })
    return {"municipalities": municipalities, "organisations": organisations}
