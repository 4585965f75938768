"""Production settings (issue 15 point 4): `cme check --deploy` is clean with the production
defaults and a secret from the environment, and refuses without one; every response carries the
security headers and the content security policy, static files and errors included; HTTPS is
enforced with HSTS."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

CME = str(Path(sys.executable).with_name("cme"))


def _check_deploy(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("CME_", "PYTEST", "DJANGO_")) and k != "DATABASE_URL"}
    return subprocess.run([CME, "check", "--deploy", "--fail-level", "WARNING"], env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_defaults_and_a_secret_from_the_environment(tmp_path):
    done = _check_deploy(CME_SECRET_KEY="k" * 20 + "Zq3-pL8_rT5vW2yX7aB4cD9eF6gH1jK0mN", CME_DATA_DIR=str(tmp_path),
                         CME_ALLOWED_HOSTS="cme.example.gov.uk")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_refuses_without_a_secret_or_with_the_demo_on(tmp_path):
    done = _check_deploy(CME_DATA_DIR=str(tmp_path), CME_ALLOWED_HOSTS="cme.example.gov.uk")
    assert done.returncode != 0 and "cme.E001" in done.stderr
    done = _check_deploy(CME_DATA_DIR=str(tmp_path), CME_ALLOWED_HOSTS="cme.example.gov.uk", CME_DEMO="1")
    assert done.returncode != 0 and "cme.E003" in done.stderr


HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
           "Permissions-Policy", "Cross-Origin-Opener-Policy")


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page", "/api/v1/cases", "/healthz",
                                  "/static/cme/app.css"])
def test_every_response_carries_the_security_headers(client, db, path):
    response = client.get(path)
    if path.startswith("/static/"):
        assert response.status_code == 200  # answered by WhiteNoise, before the inner middleware
    missing = [h for h in HEADERS if h not in response.headers]
    assert not missing, (path, response.status_code, missing)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_https_is_enforced_with_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/sign-in")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get("/sign-in", secure=True)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz").status_code == 200  # the load balancer's check, over HTTP
