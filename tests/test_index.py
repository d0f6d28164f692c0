"""The index persists to disk and reopens in a new process; rebuilding is idempotent."""

import json
import subprocess
import sys
from pathlib import Path

from assistant.embeddings import get_encoder
from assistant.index import build_index
from assistant.index_store import current_version
from assistant.settings import Settings
from assistant.tokenizer import get_tokenizer
from tests.conftest import PROJECT_ROOT


def test_build_is_idempotent(settings: Settings) -> None:
    version = current_version(settings.index_dir)
    again = build_index(settings, get_tokenizer(), get_encoder(settings.embed_threads))
    assert again["skipped"] is True
    assert again["version"] == version
    assert again["chunks"] > 50


def test_index_reopens_from_disk_in_a_new_process(settings: Settings) -> None:
    code = (
        "import json, sys\n"
        "from assistant.settings import Settings\n"
        "from assistant.service import build_assistant\n"
        f"a = build_assistant(Settings(index_dir={str(settings.index_dir)!r}))\n"
        "ans = a.ask('水素の相談はどこにすればいい？')\n"
        "print(json.dumps({'chunks': a.index.manifest['chunks'], 'phone': ans.contacts[0].phone}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["phone"] == "06-6966-6055"
    manifest = json.loads((settings.index_dir / current_version(settings.index_dir) / "manifest.json").read_text())
    assert result["chunks"] == manifest["chunks"]


def test_index_files_live_under_the_configured_folder(settings: Settings) -> None:
    version_dir = Path(settings.index_dir) / current_version(settings.index_dir)
    assert {p.name for p in version_dir.iterdir()} >= {"chroma", "bm25", "chunks.json", "sentences.npy", "manifest.json"}
