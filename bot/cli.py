"""The `wijkbrug` command: train, chat, serve, actions, run, eval-nlu, content-review, and
the directory and referral commands of bot/cli_handoff.py."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

from bot import LANGUAGES, action_server_auth, clock, server_key
from bot import settings as settings_module
from bot.processes import wait_for_http


def _set_now(value: str | None) -> None:
    if value:
        try:
            clock.parse_iso(value)
        except ValueError:
            raise SystemExit(
                f"--now: not an ISO-8601 time: {value!r} (e.g. 2026-11-23T21:30)"
            ) from None
        os.environ["WIJKBRUG_NOW"] = value


def cmd_train(args: argparse.Namespace) -> int:
    from bot.runtime import quiet_libraries
    from bot.training import ensure_models

    quiet_libraries()
    settings = settings_module.load()
    with contextlib.redirect_stdout(sys.stderr):
        paths = ensure_models(settings.project_root, settings.models_dir, force=args.force)
    for name, path in paths.items():
        print(f"{name}: {path.relative_to(settings.project_root) if path.is_relative_to(settings.project_root) else path}")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.runtime import load_bot

    _set_now(args.now)
    out = sys.stdout
    # Rasa and TensorFlow print to stdout while loading; stdout is for our JSON lines only.
    from bot.handoff import service

    with contextlib.redirect_stdout(sys.stderr):
        bot = load_bot(in_process_actions=True)
    delivery = bot.delivery
    loop = asyncio.new_event_loop()
    interactive = sys.stdin.isatty() and not args.json
    if interactive:
        print("wijkbrug chat: type a message, Ctrl-D to stop.", file=sys.stderr)
    while True:
        if interactive:
            print("> ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        with contextlib.redirect_stdout(sys.stderr):
            loop.run_until_complete(service.housekeeping(bot.settings, delivery))
            turn = loop.run_until_complete(bot.turn(args.sender, text))
        if args.json:
            out.write(json.dumps(turn.as_dict(), ensure_ascii=False) + "\n")
        else:
            for message in turn.bot:
                out.write(f"bot: {message}\n")
            for number, button in enumerate(turn.buttons, start=1):
                out.write(f"  [{number}] {button['title']}  ({button['payload']})\n")
        out.flush()
    loop.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.runtime import quiet_libraries
    from bot.server import create_app

    _set_now(args.now)
    quiet_libraries()
    settings = settings_module.load()
    host, port = args.host or settings.host, args.port or settings.port
    workers = getattr(args, "workers", 1) or 1
    if workers > 1 and settings.telegram_token and not settings.telegram_webhook_url:
        raise SystemExit("several workers cannot all poll Telegram: set TELEGRAM_WEBHOOK_URL "
                         "(webhook mode) or run one worker")
    if workers > 1 and not settings.lock_store_url:
        raise SystemExit("several workers need LOCK_STORE_URL (Redis), or two of them could "
                         "handle one resident's messages at the same time")
    app = create_app(settings, in_process_actions=args.in_process_actions)

    @app.after_server_start
    async def announce(_app, _loop) -> None:
        print(f"wijkbrug is ready: web chat at http://{host}:{port}/", flush=True)
        print(f"REST endpoint: POST http://{host}:{port}/webhooks/rest/webhook", flush=True)
        if settings.telegram_token:
            print(f"Telegram bot: {'webhook' if settings.telegram_webhook_url else 'polling'}", flush=True)

    app.run(host=host, port=port, workers=workers, access_log=False, motd=False)
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    from rasa_sdk.endpoint import create_app

    from bot.runtime import quiet_libraries

    quiet_libraries()
    settings = settings_module.load()
    app = create_app("actions", cors_origins=None)
    action_server_auth.require_token(app, server_key.action_server_token(settings.var_dir))
    port = args.port or settings.action_server_port
    app.run(host=args.host, port=port, workers=1, access_log=False, motd=False)
    return 0


def cmd_eval_nlu(args: argparse.Namespace) -> int:
    from bot import evaluation
    from bot.runtime import quiet_libraries
    from bot.training import ensure_models

    path = Path(args.file)
    if not path.exists():
        raise SystemExit(f"eval-nlu: no such file: {path}")
    if args.lang not in ("auto", *LANGUAGES):
        raise SystemExit(f"eval-nlu: --lang must be auto or one of {', '.join(LANGUAGES)}")
    quiet_libraries("WARNING")
    settings = settings_module.load()
    with contextlib.redirect_stdout(sys.stderr):
        paths = ensure_models(settings.project_root, settings.models_dir)
        examples = evaluation.load_examples(path)
        evaluator = evaluation.NluEvaluator(paths, evaluation.languages_for(args.lang))
        summary = evaluator.evaluate(
            examples, None if args.lang == "auto" else args.lang, args.expect_lang
        )
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(evaluation.table(summary))
    return 0


def cmd_eval_realistic(args: argparse.Namespace) -> int:
    """The whole bot on tests/realistic/<lang>.yml, in a scratch database of its own."""
    import tempfile

    from bot import realistic_eval
    from bot.runtime import load_bot

    paths = [Path(f) for f in args.files]
    for path in paths:
        if not path.exists():
            raise SystemExit(f"eval-realistic: no such file: {path}")
    _set_now(args.now)
    results = []
    with tempfile.TemporaryDirectory(prefix="wijkbrug-eval-") as scratch:
        os.environ.update(WIJKBRUG_VAR=scratch, DATABASE_URL=f"sqlite:///{scratch}/wijkbrug.db",
                          TRACKER_STORE_URL=f"sqlite:///{scratch}/conversations.db")
        with contextlib.redirect_stdout(sys.stderr):
            evaluator = realistic_eval.RealisticEvaluator(load_bot(in_process_actions=True))
            for number, path in enumerate(paths, start=1):
                data = realistic_eval.load(path)
                total = len(data["messages"]) + len(data["conversations"])
                print(f"[{number}/{len(paths)}] {path.name}: {total} messages and conversations", file=sys.stderr)
                messages = [evaluator.message(m) for m in data["messages"]]
                conversations = [evaluator.conversation(c) for c in data["conversations"]]
                summary = realistic_eval.summarise(data["language"], messages, conversations)
                results.append({"summary": summary, "messages": messages, "conversations": conversations})
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], ensure_ascii=False))
    else:
        for result in results:
            print(realistic_eval.table(result["summary"], result["messages"], result["conversations"]) + "\n")
    return 0


def cmd_content_review(args: argparse.Namespace) -> int:
    from bot import content_review

    missing = content_review.missing_back_translations()
    for language, names in missing.items():
        print(f"{language}: no back-translation for {', '.join(names)}", file=sys.stderr)
    path = content_review.write()
    print(f"wrote {path}")
    return 1 if missing else 0


def _child(args: list[str], env: dict, health: str, what: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], env=env)
    try:
        wait_for_http(health, process)
    except (RuntimeError, TimeoutError) as error:
        process.kill()
        raise SystemExit(f"the {what} did not start: {error}") from None
    return process


def _demo_login(settings) -> None:
    """On the embedded database only: a first coordinator account, its password shown once."""
    if os.environ.get("DATABASE_URL"):
        return
    from bot.dashboard import staff
    from bot.store.database import session_scope

    with session_scope(settings.database_url) as session:
        password = staff.demo_account(session, clock.now())
    if password:
        print(f"dashboard login (shown once): {staff.DEMO_USERNAME} / {password}  "
              f"(new password: .venv/bin/wijkbrug staff passwd {staff.DEMO_USERNAME})", flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    """Everything `make run` needs: the action server and the dashboard (child processes),
    then the bot's server in this process."""
    settings = settings_module.load()
    env = dict(os.environ)
    if args.now:
        _set_now(args.now)
        env["WIJKBRUG_NOW"] = args.now
    children = []
    try:
        port = settings.action_server_port
        children.append(_child(["actions", "--port", str(port)], env,
                               f"http://127.0.0.1:{port}/health", "action server"))
        dashboard = f"http://{settings.dashboard_host}:{settings.dashboard_port}"
        children.append(_child(["dashboard"], env, f"{dashboard}/health", "dashboard"))
        _demo_login(settings)
        serve_args = argparse.Namespace(
            host=args.host, port=args.port, now=None, in_process_actions=False, workers=args.workers
        )
        return cmd_serve(serve_args)
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkbrug",
        description="wijkbrug: a multilingual bridge between residents and their wijkteam.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train the models whose inputs changed")
    train.add_argument("--force", action="store_true", help="retrain every model")
    train.set_defaults(func=cmd_train)

    chat = commands.add_parser(
        "chat", help="talk to the whole bot in this process (one message per line)"
    )
    chat.add_argument("--json", action="store_true", help="print one JSON line per message")
    chat.add_argument("--sender", default="terminal", help="conversation id (kept across runs)")
    chat.add_argument("--now", help="pretend it is this time (ISO-8601, Amsterdam time)")
    chat.set_defaults(func=cmd_chat)

    serve = commands.add_parser("serve", help="serve the REST endpoint and the web chat")
    serve.add_argument("--host", help="address to listen on (WIJKBRUG_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (WIJKBRUG_PORT, 5005)")
    serve.add_argument("--now", help="pretend it is this time (ISO-8601)")
    serve.add_argument("--workers", type=int, default=1,
                       help="bot worker processes on the same port (more than 1 needs LOCK_STORE_URL)")
    serve.add_argument(
        "--in-process-actions",
        action="store_true",
        help="run custom actions inside the server instead of calling ACTION_SERVER_URL",
    )
    serve.set_defaults(func=cmd_serve)

    actions = commands.add_parser("actions", help="run the custom action server (rasa_sdk)")
    actions.add_argument("--host", default="127.0.0.1", help="address (127.0.0.1)")
    actions.add_argument("--port", type=int, help="port (ACTION_SERVER_PORT, 5055)")
    actions.set_defaults(func=cmd_actions)

    evaluate = commands.add_parser(
        "eval-nlu", help="intent and language-id accuracy on a Rasa NLU YAML file"
    )
    evaluate.add_argument("file", help="Rasa NLU YAML, e.g. tests/nlu/tr.yml")
    evaluate.add_argument(
        "--lang", required=True, help="nl, tr, ar, pap, or auto (identify each message)"
    )
    evaluate.add_argument(
        "--expect-lang", help="with --lang auto: the language the examples are written in"
    )
    evaluate.add_argument("--json", action="store_true", help="one JSON object")
    evaluate.set_defaults(func=cmd_eval_nlu)

    realistic = commands.add_parser(
        "eval-realistic",
        help="the whole bot on messages and conversations as residents write them (tests/realistic/)",
    )
    realistic.add_argument("files", nargs="+", help="e.g. tests/realistic/*.yml")
    realistic.add_argument("--now", default="2026-11-27T19:30",
                           help="the clock for the run (default a Friday evening, when residents write)")
    realistic.add_argument("--json", action="store_true", help="one JSON object (a list for several files)")
    realistic.set_defaults(func=cmd_eval_realistic)

    review = commands.add_parser(
        "content-review",
        help="rebuild docs/content.md (Dutch answers and back-translations, for review)",
    )
    review.set_defaults(func=cmd_content_review)

    from bot import cli_handoff, cli_staff

    cli_handoff.add_commands(commands)
    cli_staff.add_commands(commands)

    run = commands.add_parser(
        "run", help="start everything: action server, REST endpoint, web chat, Telegram"
    )
    run.add_argument("--host", help="address to listen on (WIJKBRUG_HOST, 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (WIJKBRUG_PORT, 5005)")
    run.add_argument("--now", help="pretend it is this time (ISO-8601)")
    run.add_argument("--workers", type=int, default=1,
                     help="bot worker processes (more than 1 needs LOCK_STORE_URL; `make run-prod` uses 2)")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Rasa 3.6's dependencies warn about their own deprecated imports at every start.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
