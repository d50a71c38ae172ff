"""No personal data in the server's logs: Haven served exactly as `haven run` serves it
(gunicorn with Haven's arguments, its access log and Django's logging), asked to search for
a registered person by name in every way the pages and the API allow, and the logs searched
for that name afterwards."""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from haven.site.management.commands.haven_run import gunicorn_arguments

ROOT = Path(__file__).resolve().parent.parent
NAME = "Youssouf"
SETUP = f"""
from haven.accounts.models import Agency, Office, Role, RoleGrant, User
from rest_framework.authtoken.models import Token
from haven.cases import actions
agency = Agency.objects.create(code="ha", name="Harbour Aid")
office = Office.objects.create(agency=agency, name="Port")
user = User.objects.create_user(username="logcheck", password="Correct-horse-battery-9",
                                agency=agency)
user.offices.add(office)
RoleGrant.objects.create(user=user, role=Role.objects.get(code="caseworker"), scope="own")
actions.register(user, person={{"given_name": "{NAME}", "family_name": "Diallo", "sex": "male"}},
                 case={{"programme": "vulnerable_migrants", "vulnerabilities": ["stranded"]}})
print(Token.objects.create(user=user).key)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _haven(env, *args) -> str:
    command = [str(Path(sys.executable).parent / "haven"), *args]
    return subprocess.run(  # noqa: S603 (fixed arguments)
        command, env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=300
    ).stdout


@pytest.mark.slow
def test_searching_for_a_person_leaves_their_name_in_no_log(tmp_path):
    env = {
        **os.environ,
        "HAVEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'haven.sqlite3'}",
        "HAVEN_LOG_LEVEL": "INFO",
        "HAVEN_DEMO": "",
    }
    _haven(env, "manage", "migrate", "-v0")
    token = _haven(env, "manage", "shell", "-c", SETUP).strip().splitlines()[-1]
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [
                str(Path(sys.executable).parent / "gunicorn"),
                *gunicorn_arguments("127.0.0.1", port, workers=1, threads=2),
                "--log-level",
                "info",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/healthz")
            _search(base, token)
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert "GET /api/v1/cases/" in text  # the access log is there and was searched
    assert NAME not in text and NAME.lower() not in text.lower(), [
        line for line in text.splitlines() if NAME.lower() in line.lower()
    ]


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def _search(base: str, token: str) -> None:
    api = {"Authorization": f"Token {token}"}
    for path in (
        f"/api/v1/cases/?q={NAME}",
        f"/api/v1/persons/?q={NAME}",
        f"/api/v1/cases/?q={NAME}%00",  # refused: a NUL
        f"/api/v1/cases/999999/?q={NAME}",  # not found
        f"/api/v1/cases/?q={NAME}&page=99",  # a page that does not exist
    ):
        _open(urllib.request.urlopen, base + path, api)
    # The pages, signed in, with the referring page (a search) as a browser sends it.
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login/").read().decode()  # noqa: S310 (loopback)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"username": "logcheck", "password": "Correct-horse-battery-9", "csrfmiddlewaretoken": csrf}
    ).encode()
    login = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/login/", body, {"Referer": f"{base}/login/"}
    )
    opener.open(login)
    for path in (f"/cases/?q={NAME}", f"/cases/?q={NAME}%00", f"/tracing/?q={NAME}"):
        _open(opener.open, base + path, {"Referer": f"{base}/cases/?q={NAME}"})


def _open(send, url: str, headers: dict) -> None:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback)
    with contextlib.suppress(urllib.error.HTTPError):
        send(request, timeout=10)
