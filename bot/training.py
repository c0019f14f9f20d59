"""Trains the models wijkbrug needs and caches them by a hash of their inputs.

models/ holds one file per model, named <name>-<hash>: the dialogue model (core), one NLU
model per language (nlu-<lang>) and the language identifier (langid). A model is trained
only when no file for the current hash of its inputs exists, so a second `make test` or
`make run` trains nothing. Models whose inputs changed are trained in parallel processes,
one per core: one Rasa NLU training uses about one core here. Models are never committed.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from bot import LANGUAGES

HASH_LENGTH = 16
NORMALISER = ("bot/normalise.py", "bot/nlu_components.py")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # core | nlu | langid
    suffix: str
    inputs: tuple[str, ...]  # glob patterns relative to the project root
    language: str | None = None

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


SPECS: tuple[ModelSpec, ...] = (
    ModelSpec("core", "core", ".tar.gz", ("config.yml", "domain/**/*.yml", "stories/**/*.yml")),
    *(
        ModelSpec(
            f"nlu-{lang}",
            "nlu",
            ".tar.gz",
            (f"config-{lang}.yml", f"nlu/{lang}/**/*.yml", *NORMALISER),
            language=lang,
        )
        for lang in LANGUAGES
    ),
    ModelSpec(
        "langid",
        "langid",
        ".pkl",
        ("nlu/*/**/*.yml", "nlu/langid/*.txt", "bot/langid.py", *NORMALISER),
    ),
)


def build(spec: ModelSpec, root: Path, output: Path) -> None:
    """Trains one model into `output` (runs in a worker process)."""
    import warnings

    from bot.runtime import quiet_libraries

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    quiet_libraries("WARNING")
    if spec.kind == "langid":
        from bot.langid import LanguageIdentifier, training_examples

        LanguageIdentifier.train(training_examples(root / "nlu")).save(output)
        return

    from rasa.model_training import train_core, train_nlu

    common = dict(output=str(output.parent), fixed_model_name=output.name.removesuffix(".tar.gz"))
    if spec.kind == "core":
        result = train_core(
            domain=str(root / "domain"),
            config=str(root / "config.yml"),
            stories=str(root / "stories"),
            **common,
        )
    else:
        result = train_nlu(
            config=str(root / f"config-{spec.language}.yml"),
            nlu_data=str(root / "nlu" / spec.language),
            **common,
        )
    if not result:
        raise RuntimeError(f"Rasa did not train {spec.name} (see the log above)")


def _train_one(spec: ModelSpec, root: Path, path: Path) -> float:
    """Trains into a scratch folder and moves the result into place: an interrupted run
    never leaves a half-written model under the final name."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        output = Path(scratch) / path.name
        # Rasa prints its progress to stdout; stdout may be `wijkbrug chat --json`'s.
        sys.stdout = sys.stderr
        build(spec, root, output)
        if not output.exists():
            raise FileNotFoundError(f"training {spec.name} wrote no {output.name}")
        output.rename(path)
    return time.monotonic() - started


def log(message: str) -> None:
    print(f"[wijkbrug] {message}", file=sys.stderr, flush=True)


def ensure_models(root: Path, models_dir: Path, force: bool = False) -> dict[str, Path]:
    """Paths of all current models, training those whose inputs changed."""
    models_dir.mkdir(parents=True, exist_ok=True)
    paths = {spec.name: spec.path(root, models_dir) for spec in SPECS}
    stale = [spec for spec in SPECS if force or not paths[spec.name].exists()]
    if not stale:
        return paths
    workers = max(1, min(len(stale), os.cpu_count() or 1))
    log(f"training {len(stale)} model(s) ({', '.join(s.name for s in stale)}), {workers} at a time")
    started = time.monotonic()
    context = multiprocessing.get_context("spawn")  # TensorFlow does not survive fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_train_one, s, root, paths[s.name]): s for s in stale}
        for done, future in enumerate(as_completed(futures), start=1):
            spec = futures[future]
            seconds = future.result()  # re-raises a training error here
            log(f"trained {spec.name} in {seconds:.0f} s ({done}/{len(stale)})")
            for old in models_dir.glob(f"{spec.name}-*{spec.suffix}"):
                if old != paths[spec.name]:
                    old.unlink()
    log(f"all models trained in {time.monotonic() - started:.0f} s")
    return paths
