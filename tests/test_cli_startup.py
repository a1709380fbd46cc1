"""Starting up as a newcomer would: a taken port is one clear error before any banner, --port 0
picks a free port and says which, and every command's --help states its exit statuses, as the
README does."""

import re
import socket
import subprocess
import sys

import pytest
import requests

from conftest import ROOT

MODULES = {"trustpilot-mock": "mock_server.cli", "trustpilot-conformance": "conformance.cli"}
HELP_PAGES = [("trustpilot-mock",), ("trustpilot-mock", "serve"), ("trustpilot-mock", "scenario"),
              ("trustpilot-mock", "scenario", "validate"), ("trustpilot-conformance",),
              ("trustpilot-conformance", "run"), ("trustpilot-conformance", "explore"),
              ("trustpilot-conformance", "replay"), ("trustpilot-conformance", "validate"),
              ("trustpilot-conformance", "list")]


def command(program, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", MODULES[program], *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_serve_on_a_taken_port_exits_2_naming_the_port_and_its_holder_without_a_banner():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = command("trustpilot-mock", "serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stdout == ""  # no banner, no credentials
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use by pid " in result.stderr
    assert "--port 0" in result.stderr
    assert "Traceback" not in result.stderr and "Connection in use" not in result.stderr


def test_serve_on_an_address_not_of_this_machine_exits_2_saying_so():
    result = command("trustpilot-mock", "serve", "--host", "192.0.2.1", "--port", "0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine" in result.stderr


def test_serve_port_out_of_range_is_a_usage_error():
    result = command("trustpilot-mock", "serve", "--port", "70000")
    assert result.returncode == 2
    assert "argument --port: must be between 0 and 65535 (0: any free port)" in result.stderr


def test_serve_port_0_prints_the_port_chosen_and_serves_on_it():
    proc = subprocess.Popen([sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--quiet"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.fullmatch(r"Serving on http://127\.0\.0\.1:(\d+)\n", line)
        assert match, f"first line: {line!r}"
        response = requests.get(f"http://127.0.0.1:{match[1]}/v1/business-units/find",
                                params={"name": "trustpilotdemo.com"}, headers={"apikey": "demo-partner-key"},
                                timeout=10)
        assert response.status_code == 200
        assert response.json()["id"] == "507f191e810c19729de860ea"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert proc.returncode == 0


@pytest.mark.parametrize("page", HELP_PAGES, ids=" ".join)
def test_help_lists_the_exit_statuses_the_readme_lists(page):
    result = command(page[0], *page[1:], "--help")
    assert result.returncode == 0
    statuses = re.findall(r"^  (\d+) +(.+)$", result.stdout, flags=re.M)
    assert statuses, f"no exit statuses in {' '.join(page)} --help:\n{result.stdout}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit statuses", 1)[1].split("\n## ", 1)[0]
    for status, meaning in statuses:
        first_words = " ".join(meaning.split()[:3])
        assert re.search(rf"\| `?{status}`? \|[^\n]*{re.escape(first_words)}", section), (
            f"README's exit statuses lack {status} ({meaning}) of {' '.join(page)}")
