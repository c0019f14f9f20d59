"""The Rasa project is consistent, and the dependency overrides keep Rasa working."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")


@pytest.mark.parametrize("language", LANGUAGES)
def test_rasa_data_validate_passes(language):
    """Domain, stories and this language's NLU data agree (Rasa's own validator)."""
    result = subprocess.run(
        [RASA, "data", "validate", "--domain", "domain", "--data", "stories",
         f"nlu/{language}", "--config", "config.yml"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_version_on_this_python():
    result = subprocess.run([RASA, "--version"], capture_output=True, text=True)
    assert "Rasa Version      :         3.6.21" in result.stdout
    assert f"Python Version    :         {sys.version.split()[0]}" in result.stdout


def test_matplotlib_override_draws_rasa_evaluation_plots(tmp_path):
    """Rasa pins matplotlib<3.6, which has no Python 3.11 wheel; we install 3.7.5.

    `rasa test` draws its confusion matrix and histograms with these functions.
    """
    import matplotlib
    import numpy as np
    from rasa.utils import plotting

    assert matplotlib.__version__ == "3.7.5"
    matrix = tmp_path / "confusion.png"
    plotting.plot_confusion_matrix(
        np.array([[3, 1], [0, 4]]), classes=["greet", "goodbye"], output_file=str(matrix)
    )
    histogram = tmp_path / "histogram.png"
    plotting.plot_paired_histogram(
        [[0.9, 0.8, 0.7], [0.4, 0.3]], title="confidences", output_file=str(histogram)
    )
    for path in (matrix, histogram):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pip_check_reports_only_the_documented_override():
    result = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True
    )
    problems = [line for line in result.stdout.splitlines() if line.strip()]
    assert problems == [
        "rasa 3.6.21 has requirement matplotlib<3.6,>=3.1, but you have matplotlib 3.7.5."
    ]
