"""One long conversation stays cheap: past MAX_SESSION_EVENTS a new session starts, the
next turn loads only that, and the dialogue goes on as if nothing happened (issue 19: 1,000
messages in one conversation slowed every resident of that worker)."""

from bot import session_cap

CAP = 40  # a few turns; the real cap is ten times that


def test_a_flood_keeps_the_loaded_conversation_bounded(bot, say, event_loop_session, monkeypatch):
    monkeypatch.setattr(session_cap, "MAX_SESSION_EVENTS", CAP)
    sender = "test-session-cap-flood"
    loaded = []
    for _ in range(40):
        say("hoi", sender)
        tracker = event_loop_session.run_until_complete(bot.agent.tracker_store.retrieve(sender))
        loaded.append(len(tracker.events))
    assert max(loaded) <= CAP + 20  # one turn's events on top of the cap at most
    assert loaded.index(max(loaded)) < len(loaded) - 1 and loaded[-1] < max(loaded)  # it rolled over
    store = bot.sql_store()
    with store.session_scope() as session:
        stored = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).count()
    assert stored > 2 * CAP  # nothing was deleted: only what a turn loads is bounded


def test_a_form_and_its_language_go_on_across_a_new_session(bot, say, event_loop_session, monkeypatch):
    monkeypatch.setattr(session_cap, "MAX_SESSION_EVENTS", CAP)
    sender = "test-session-cap-form"
    say("iyi akşamlar", sender)
    say("gönüllü biriyle konuşmak istiyorum", sender)
    say("kira borcum birikti", sender)
    def loaded():
        return event_loop_session.run_until_complete(bot.agent.tracker_store.retrieve(sender))

    assert loaded().active_loop_name == "handoff_form"
    sizes = [len(loaded().events)]
    while sizes[-1] >= max(sizes) and len(sizes) < 60:  # until a turn loads fewer events: rolled over
        say("hè?", sender)  # the form asks again; each turn adds events
        sizes.append(len(loaded().events))
    assert sizes[-1] < max(sizes), sizes
    rolled = loaded()
    assert rolled.active_loop_name == "handoff_form"  # carried over into the new session
    turn = say("3072 AB", sender)  # the postcode: the form takes it and asks the next question
    tracker = loaded()
    assert tracker.get_slot("postcode") and tracker.get_slot("handoff_topic") == "kira borcum birikti"
    assert tracker.get_slot("language") == "tr" and turn.language == "tr"
    assert tracker.active_loop_name == "handoff_form" and tracker.get_slot("requested_slot") != "postcode"
    assert len(tracker.events) <= CAP + 20
