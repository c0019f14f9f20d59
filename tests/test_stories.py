"""Every rule and multi-turn flow, as test stories, predicted by the trained dialogue model.

Rasa's own story evaluation (`rasa test core`) with fail_on_prediction_errors: any action
the model would not take as the story says fails the test.
"""

import asyncio
from pathlib import Path

import pytest

STORIES = Path(__file__).parent / "stories"


@pytest.fixture(scope="module")
def dialogue_agent(model_paths):
    from rasa.core.agent import Agent

    return Agent.load(str(model_paths["core"]))


@pytest.mark.parametrize("stories", sorted(STORIES.glob("*.yml")), ids=lambda p: p.stem)
def test_stories_are_predicted_exactly(dialogue_agent, stories, tmp_path):
    from rasa.core.test import test

    report = asyncio.run(
        test(
            str(stories),
            dialogue_agent,
            out_directory=str(tmp_path),
            fail_on_prediction_errors=True,
            disable_plotting=True,
        )
    )
    assert report["report"]["conversation_accuracy"]["correct"] == report["report"]["conversation_accuracy"]["total"]
