"""Build, ask and serve with every outbound connection blocked, and prove none was attempted."""

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, make_settings
from tests.servers import guarded_env, served


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def test_guard_really_blocks(tmp_path: Path) -> None:
    code = "import socket\ntry:\n    socket.create_connection(('8.8.8.8', 53), timeout=1)\nexcept OSError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], env=guarded_env(make_settings(tmp_path), tmp_path),
                         capture_output=True, text=True, timeout=60)
    assert "blocked by test guard" in out.stdout
    assert "8.8.8.8" in (tmp_path / "attempts.log").read_text()


OPENAI_BODY = {"model": "kinki-assistant", "messages": [{"role": "user", "content": "水素の相談はどこ？"}]}
MCP_INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "offline-test", "version": "1"}}}


def _post(url: str, path: str, body: dict) -> urllib.request.Request:
    return urllib.request.Request(f"{url}{path}", method="POST", data=json.dumps(body).encode(),
                                  headers={"Content-Type": "application/json",
                                           "Accept": "application/json, text/event-stream"})


@pytest.mark.slow
def test_build_ask_and_serve_reach_no_network(tmp_path: Path) -> None:
    built = make_settings(tmp_path)  # its index is built here, in tmp_path
    env = guarded_env(built, tmp_path)
    build = subprocess.run(cli("build-index"), env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    ask = subprocess.run(cli("ask", "水素の相談はどこ？", "--json"), env=env, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["contacts"][0]["phone"] == "06-6966-6055"

    # `serve` over the index just built; served() fails if the server tried to reach the network.
    with served(built, tmp_path) as url:
        req = urllib.request.Request(f"{url}/api/chat", method="POST",
                                     data=json.dumps({"message": "06-6966-6014はどこ？"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert json.load(r)["contacts"][0]["division"] == "創業・経営支援課"
        with urllib.request.urlopen(f"{url}/", timeout=30) as r:
            assert r.status == 200
        # The OpenAI-compatible API and the MCP endpoint live in the same process: use both.
        with urllib.request.urlopen(_post(url, "/v1/chat/completions", OPENAI_BODY), timeout=30) as r:
            assert "06-6966-6055" in json.load(r)["choices"][0]["message"]["content"]
        with urllib.request.urlopen(_post(url, "/mcp", MCP_INITIALIZE), timeout=30) as r:
            assert json.load(r)["result"]["serverInfo"]["name"] == "kinki-assistant"
        time.sleep(2)  # give background threads (analytics, version checks) a chance to try
    log = tmp_path / "attempts.log"
    assert not log.exists() or log.read_text() == "", log.read_text()


# Run inside a fresh network namespace where only loopback exists: every program, whatever language
# it is written in, can reach loopback and nothing else. The kernel counts each attempt to send
# anywhere else as "no route" (Ip OutNoRoutes, Ip6OutNoRoutes), so those counters prove that no
# connection or name lookup was even attempted, beyond what the Python audit hook above can see.
# A new namespace's loopback starts down; this brings it up without needing `ip` (iproute2).
LOOPBACK_UP = r'''
import fcntl, socket, struct
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH14x", b"lo", 0))[:18])[1]
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))
'''

NAMESPACE_DRIVER = LOOPBACK_UP + r'''
import json, subprocess, sys, time, urllib.request
port = int(sys.argv[1])
cli = [sys.executable, "-m", "assistant.cli"]
out = {}
out["build"] = subprocess.run(cli + ["build-index"], capture_output=True, text=True).returncode
ask = subprocess.run(cli + ["ask", "水素の相談はどこ？", "--json"], capture_output=True, text=True)
out["ask_phone"] = json.loads(ask.stdout)["contacts"][0]["phone"] if ask.returncode == 0 else ask.stderr[-500:]
server = subprocess.Popen(cli + ["serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(180):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/chat", method="POST",
                                 data=json.dumps({"message": "06-6966-6014はどこ？"}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        out["serve_division"] = json.load(r)["contacts"][0]["division"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:
        out["page"] = r.status
    time.sleep(2)  # give background threads (analytics, version checks) a chance to try
finally:
    server.terminate()
    server.wait(timeout=30)
def counters(prefix):
    rows = [line.split() for line in open("/proc/net/snmp") if line.startswith(prefix)]
    return {k: int(v) for k, v in zip(rows[0][1:], rows[1][1:])}
out["ip_out_no_routes"] = counters("Ip:")["OutNoRoutes"]
# Name lookups go out as UDP (to a resolver that may sit on loopback, as in containers): none at all.
out["udp_out_datagrams"] = counters("Udp:")["OutDatagrams"]
snmp6 = dict(line.split() for line in open("/proc/net/snmp6") if line.strip())
out["ip6_out_no_routes"] = int(snmp6.get("Ip6OutNoRoutes", 0))
print(json.dumps(out, ensure_ascii=False))
'''


def _namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-n", sys.executable, "-c", LOOPBACK_UP], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.slow
def test_build_ask_and_serve_in_a_namespace_without_network(tmp_path: Path) -> None:
    if not _namespaces_work():
        pytest.skip("no network namespaces here (needs unshare and the right to use it)")
    driver = tmp_path / "driver.py"
    driver.write_text(NAMESPACE_DRIVER, "utf-8")
    # No audit hook here: the kernel is the witness.
    env = guarded_env(make_settings(tmp_path), tmp_path, PYTHONPATH=str(PROJECT_ROOT))
    run = subprocess.run(["unshare", "-n", sys.executable, str(driver), "7860"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["build"] == 0 and result["ask_phone"] == "06-6966-6055", result
    assert result["serve_division"] == "創業・経営支援課" and result["page"] == 200, result
    assert result["ip_out_no_routes"] == 0 and result["ip6_out_no_routes"] == 0, result
    assert result["udp_out_datagrams"] == 0, result


@pytest.mark.slow
def test_the_namespace_counters_do_see_an_attempt(tmp_path: Path) -> None:
    # The control for the test above: one connection attempt and one name lookup are counted.
    if not _namespaces_work():
        pytest.skip("no network namespaces here (needs unshare and the right to use it)")
    code = LOOPBACK_UP + ("import socket\n"
            "for target in [lambda: socket.create_connection(('192.0.2.1', 80), timeout=2),\n"
            "               lambda: socket.getaddrinfo('example.com', 80)]:\n"
            "    try:\n        target()\n    except OSError:\n        pass\n"
            "snmp = [l.split() for l in open('/proc/net/snmp') if l.startswith('Ip:')]\n"
            "print(dict(zip(snmp[0][1:], snmp[1][1:]))['OutNoRoutes'])\n")
    run = subprocess.run(["unshare", "-n", sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.strip()) >= 1
