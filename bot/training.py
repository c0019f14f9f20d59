"""Trains the models wijkbrug needs and caches them by a hash of their inputs.

models/ holds one file per model, named <name>-<hash>: the dialogue model (core), one NLU
model per language (nlu-<lang>) and the language identifier (langid). A model is trained
only when no file for the current hash of its inputs exists, so a second `make test` or
`make run` trains nothing. Models are never committed.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bot import LANGUAGES

HASH_LENGTH = 16


@dataclass(frozen=True)
class ModelSpec:
    name: str
    suffix: str
    inputs: tuple[str, ...]  # glob patterns relative to the project root
    build: Callable[[Path, Path], None]  # (project root, output file) -> None

    def input_files(self, root: Path) -> list[Path]:
        files = {p for pattern in self.inputs for p in root.glob(pattern) if p.is_file()}
        return sorted(files)

    def fingerprint(self, root: Path) -> str:
        import rasa

        digest = hashlib.sha256(f"{self.name} rasa=={rasa.__version__}".encode())
        for path in self.input_files(root):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:HASH_LENGTH]

    def path(self, root: Path, models_dir: Path) -> Path:
        return models_dir / f"{self.name}-{self.fingerprint(root)}{self.suffix}"


def _train_core(root: Path, output: Path) -> None:
    from rasa.model_training import train_core

    result = train_core(
        domain=str(root / "domain"),
        config=str(root / "config.yml"),
        stories=str(root / "stories"),
        output=str(output.parent),
        fixed_model_name=output.name.removesuffix(".tar.gz"),  # Rasa adds .tar.gz
    )
    if not result:
        raise RuntimeError("Rasa did not train a dialogue model (see the log above)")


def _nlu_trainer(language: str) -> Callable[[Path, Path], None]:
    def train(root: Path, output: Path) -> None:
        from rasa.model_training import train_nlu

        result = train_nlu(
            config=str(root / f"config-{language}.yml"),
            nlu_data=str(root / "nlu" / language),
            output=str(output.parent),
            fixed_model_name=output.name.removesuffix(".tar.gz"),
        )
        if not result:
            raise RuntimeError(f"Rasa did not train the NLU model for {language}")

    return train


def _train_langid(root: Path, output: Path) -> None:
    from bot.langid import LanguageIdentifier, training_examples

    LanguageIdentifier.train(training_examples(root / "nlu")).save(output)


NORMALISER = ("bot/normalise.py", "bot/nlu_components.py")

SPECS: tuple[ModelSpec, ...] = (
    ModelSpec("core", ".tar.gz", ("config.yml", "domain/**/*.yml", "stories/**/*.yml"), _train_core),
    *(
        ModelSpec(
            f"nlu-{lang}",
            ".tar.gz",
            (f"config-{lang}.yml", f"nlu/{lang}/**/*.yml", *NORMALISER),
            _nlu_trainer(lang),
        )
        for lang in LANGUAGES
    ),
    ModelSpec(
        "langid",
        ".pkl",
        ("nlu/*/**/*.yml", "nlu/langid/*.txt", "bot/langid.py", *NORMALISER),
        _train_langid,
    ),
)


def log(message: str) -> None:
    print(f"[wijkbrug] {message}", file=sys.stderr, flush=True)


def ensure_models(root: Path, models_dir: Path, force: bool = False) -> dict[str, Path]:
    """Paths of all current models, training those whose inputs changed."""
    models_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for number, spec in enumerate(SPECS, start=1):
        path = spec.path(root, models_dir)
        if force or not path.exists():
            log(f"training {spec.name} ({number}/{len(SPECS)}) -> {path.name}")
            started = time.monotonic()
            # Train into a scratch folder and move the result, so an interrupted run never
            # leaves a half-written model under the final name.
            with tempfile.TemporaryDirectory(dir=models_dir) as scratch:
                output = Path(scratch) / path.name
                spec.build(root, output)
                if not output.exists():
                    raise FileNotFoundError(f"training {spec.name} wrote no {output.name}")
                output.rename(path)
            log(f"trained {spec.name} in {time.monotonic() - started:.0f} s")
            for old in models_dir.glob(f"{spec.name}-*{spec.suffix}"):
                if old != path:
                    old.unlink()
        paths[spec.name] = path
    return paths

