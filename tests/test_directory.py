"""The directory: import with clear errors, export, postcode lookup, opening hours, DST."""

import pytest
import yaml

from bot.clock import parse_iso
from bot.directory import importer, lookup, schedule
from bot.directory.windows import Window, parse_window
from bot.store.database import session_scope
from bot.store.tables import Team, Volunteer

DEMO = importer.Path(__file__).resolve().parent.parent / "data" / "demo" / "directory.yml"


def test_windows_are_written_the_way_coordinators_write_them():
    assert parse_window("ma-vr 09:00-17:00") == [Window(d, 540, 1020) for d in range(5)]
    assert parse_window("za,zo 10:00-14:00") == [Window(5, 600, 840), Window(6, 600, 840)]
    assert parse_window("vr 22:00-02:00") == [Window(4, 1320, 1440), Window(5, 0, 120)]
    assert parse_window("zo-ma 20:00-24:00") == [Window(6, 1200, 1440), Window(0, 1200, 1440)]
    for bad in ("xx 09:00-10:00", "ma 25:00-26:00", "ma 10:00-10:00", "ma 9-10"):
        with pytest.raises(ValueError):
            parse_window(bad)


def test_demo_directory_covers_every_example_postcode(demo_directory):
    with session_scope(demo_directory) as session:
        for postcode, team in [("3526 KL", "utrecht-zuidwest"), ("3531AB", "utrecht-west"),
                               ("3072", "rotterdam-feijenoord"), ("3073 ab", "rotterdam-feijenoord"),
                               ("3081", "rotterdam-charlois"), ("3086", "rotterdam-charlois"),
                               ("3151", "rotterdam-hoek-van-holland")]:
            assert lookup.team_for_postcode(session, postcode).code == team, postcode
        assert lookup.team_for_postcode(session, "1012 AB") is None  # Amsterdam: not served
        assert lookup.team_for_postcode(session, "35x1") is None


def test_demo_volunteers_and_contacts_speak_all_four_languages_in_evenings_and_weekends(demo_directory):
    with session_scope(demo_directory) as session:
        people = session.query(Volunteer).all()
        for language in ("nl", "tr", "ar", "pap"):
            for city in ("utrecht", "rotterdam"):
                speakers = [v for v in people if language in v.languages.split()
                            and any(t.code.startswith(city) for t in v.teams)]
                assert speakers, (language, city)
                evening = parse_iso("2026-11-25T20:00")  # a Wednesday
                saturday = parse_iso("2026-11-28T11:00")
                assert any(schedule.is_open(v.availability, evening) for v in speakers), (language, city)
                assert any(schedule.is_open(v.availability, saturday) for v in speakers), (language, city)


def test_team_opening_hours_and_next_opening_over_a_weekend(demo_directory):
    with session_scope(demo_directory) as session:
        team = session.query(Team).filter_by(code="utrecht-west").one()
        assert lookup.is_open(team, parse_iso("2026-11-24T10:00"))
        assert lookup.is_open(team, parse_iso("2026-11-25T18:30"))  # Wednesday evening hours
        assert not lookup.is_open(team, parse_iso("2026-11-27T21:30"))
        assert lookup.next_opening(team, parse_iso("2026-11-27T21:30")) == parse_iso("2026-11-30T09:00")


def test_weekly_window_keeps_its_wall_clock_time_across_dst():
    windows = parse_window("zo 01:00-04:00")
    # 29 March 2026: clocks go from 02:00 to 03:00; the window is 2 real hours that night.
    start, end = next(schedule.intervals(windows, parse_iso("2026-03-29T00:00"), parse_iso("2026-03-29T23:00")))
    assert (end - start).total_seconds() == 3 * 3600 - 3600
    autumn = next(schedule.intervals(windows, parse_iso("2026-10-25T00:00"), parse_iso("2026-10-25T23:00")))
    assert (autumn[1] - autumn[0]).total_seconds() == 4 * 3600


def test_export_then_import_gives_the_same_directory(demo_directory, tmp_path):
    with session_scope(demo_directory) as session:
        exported = importer.export(session)
    path = tmp_path / "export.yml"
    path.write_text(yaml.safe_dump(exported, allow_unicode=True), encoding="utf-8")
    parsed = importer.parse(path)
    with session_scope(demo_directory) as session:
        counts = importer.load(session, parsed)  # same codes: updated, not duplicated
        assert session.query(Volunteer).count() == counts["volunteers"] == 14
        assert importer.export(session) == exported


BAD = """\
municipalities:
  - code: utrecht
    name: Utrecht
    phone: "14 030"
    teams:
      - code: west
        name: West
        address: Straat 1
        phone: "030 1"
        postcodes: ["3531-3533", "35311"]
        opening_hours: ["ma-vr 09:00-17:00", "xx 10:00-12:00"]
      - code: oost
        name: Oost
        address: Straat 2
        phone: "030 2"
        postcodes: ["3533"]
organisations:
  - code: club
    name: Club
    kind: sportclub
    volunteers:
      - code: v1
        name: Vera
        languages: [nl, klingon]
        teams: [west, noord]
        max_open_handoffs: 0
"""


def test_bad_file_lists_every_problem_with_line_and_field_and_imports_nothing(tmp_path, database):
    path = tmp_path / "bad.yml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(importer.DirectoryError) as caught:
        importer.parse(path)
    problems = {(p.line, p.field) for p in caught.value.problems}
    assert (10, "municipalities[0].teams[0].postcodes[1]") in problems
    assert (11, "municipalities[0].teams[0].opening_hours[1]") in problems
    assert (20, "organisations[0].kind") in problems
    assert (24, "organisations[0].volunteers[0].languages[1]") in problems
    assert (25, "organisations[0].volunteers[0].teams[1]") in problems
    assert (26, "organisations[0].volunteers[0].max_open_handoffs") in problems
    assert any("3533 is already served by team west" in p.message for p in caught.value.problems)
    assert "nothing imported" in str(caught.value)


def test_not_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("municipalities:\n  - code: [unclosed\n", encoding="utf-8")
    with pytest.raises(importer.DirectoryError) as caught:
        importer.parse(path)
    assert "not valid YAML" in str(caught.value)
