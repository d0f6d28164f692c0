"""The OpenAPI schema is the contract: schemathesis generates requests from it against the real server.

Every check is on (`--checks all`): a request the schema allows must be accepted, one it forbids must
be refused with a 4xx, responses must match their declared status codes and bodies, and methods a
path does not declare must get 405 with an ``Allow`` header.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assistant.inputs import MESSAGE_PATTERN, QUERY_PATTERN, SEARCHABLE, clean_text
from assistant.settings import Settings
from tests.servers import guarded_env, served

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Enough generated cases to reach every declared limit and pattern (the coverage phase adds the
# boundary values itself) while the run stays around 10-20 s on two shared cores.
MAX_EXAMPLES = 25


@pytest.mark.slow
def test_the_server_keeps_every_promise_of_its_openapi_schema(tmp_path: Path, settings: Settings) -> None:
    if not SCHEMATHESIS.exists():
        pytest.fail("schemathesis is not installed: run `make setup` (it is in the dev group)")
    # The session's built index, served as `kinki-assistant serve` would; the Python audit hook of
    # tests/netguard logs any connection beyond loopback, from the server and from schemathesis.
    env = guarded_env(settings, tmp_path)
    with served(settings, tmp_path) as url:
        # The UI at / and FastAPI's /docs are not in the schema, so the run covers exactly the API.
        run = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{url}/openapi.json", "--checks", "all",
             "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--request-timeout", "30", "--no-color"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "No issues found" in run.stdout, report
    assert "Tested: 9" in run.stdout, report  # every operation of the schema was exercised (6 /api, 3 /v1)
    assert "Traceback" not in (tmp_path / "server.log").read_text()
    attempts = tmp_path / "attempts.log"
    assert not attempts.exists() or attempts.read_text() == "", attempts.read_text()


# Characters and pieces that make markup, white space and control characters, so generated texts
# often sit right on the line between "something to answer" and "nothing left after clean-up".
_PIECES = st.sampled_from(list("<>/!-ab1水 \t\n\x00\x1c\u200b\u3000、?=\"'") + [
    "script", "STYLE", "<!--", "-->", "<!-->", "<script>", "</script >", "<style x>", "</style>", "<b>", "</b>",
    "<a\x00b>", "<scr\x00ipt>"])
_TEXTS = st.lists(_PIECES, max_size=16).map("".join) | st.text(max_size=40)


@hypothesis_settings(max_examples=3000, deadline=None)
@given(text=_TEXTS)
def test_declared_patterns_say_exactly_what_the_server_refuses(text: str) -> None:
    """The schema's patterns (message, question, description; directory query) match a text exactly when
    the server's clean-up leaves something to answer (or a letter or digit to search for)."""
    assert bool(re.search(MESSAGE_PATTERN, text)) == bool(clean_text(text)), text
    assert bool(re.search(QUERY_PATTERN, text)) == bool(re.search(f"[{SEARCHABLE}]", clean_text(text))), text
