"""A Telegram conversation survives a restart: the resident is half-way through the handoff
form, `wijkbrug run` stops and starts again, and the next answer continues the form."""

from bot import i18n
from bot.content_review import domain_responses
from tests.conftest import free_port, wijkbrug_server
from tests.fake_telegram import exchange

RESIDENT = 7301
DUTCH = domain_responses()


def test_the_form_goes_on_after_a_restart(test_env, model_paths, tmp_path, telegram):
    env = dict(test_env, WIJKBRUG_VAR=str(tmp_path), TRACKER_STORE_URL=f"sqlite:///{tmp_path / 'conversations.db'}",
               DATABASE_URL=f"sqlite:///{tmp_path / 'wijkbrug.db'}", TELEGRAM_BOT_TOKEN=telegram.token,
               TELEGRAM_BASE_URL=telegram.base_url)
    env.pop("ACTION_SERVER_URL", None)

    def server(log_name):
        port, action_port = free_port(), free_port()
        run_env = dict(env, WIJKBRUG_PORT=str(port), ACTION_SERVER_PORT=str(action_port))
        return wijkbrug_server(["run", "--now", "2026-11-27T19:30"], run_env, tmp_path / log_name,
                               f"http://127.0.0.1:{port}/health")

    with server("first.log"):
        exchange(telegram, RESIDENT, telegram.user_says, "iyi akşamlar")
        exchange(telegram, RESIDENT, telegram.user_says, "gönüllü biriyle konuşmak istiyorum")
        [asked] = exchange(telegram, RESIDENT, telegram.user_says, "kira borcum birikti")
        assert asked["text"] == i18n.gettext("tr", DUTCH["utter_ask_postcode"])
    with server("second.log"):
        [next_question] = exchange(telegram, RESIDENT, telegram.user_says, "3072 AB")
    assert next_question["text"] == i18n.gettext("tr", DUTCH["utter_ask_handoff_window"])
