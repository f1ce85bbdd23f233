"""`kerasgan demo` in a real headless browser (Debian's Chromium driven by Playwright): the page
loads, a click draws an image of the right size, a walk too; a screenshot is kept as an artifact.

Gradio, Playwright and Chromium come with scripts/setup.sh and .ci/run; elsewhere (CI unset) the
browser test is skipped when one of them is missing.
"""

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from conftest import BACKEND
from kerasgan import demo
from kerasgan.images import make_grid

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHECKPOINT = "mnist-cgan"  # conditional: the page must offer its classes


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("KERASGAN_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def require(module: str):
    if os.environ.get("CI"):
        return importlib.import_module(module)  # CI installs the demo extra: missing is a failure
    return pytest.importorskip(module)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_page(url: str, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"kerasgan demo exited with code {server.returncode}:\n{server.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"kerasgan demo did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def demo_server():
    """`kerasgan demo` on a free port of 127.0.0.1, stopped after the test."""
    require("gradio")
    port = free_port()
    env = {**os.environ, "KERAS_BACKEND": BACKEND, "GRADIO_ANALYTICS_ENABLED": "False"}
    server = subprocess.Popen(
        [sys.executable, "-m", "kerasgan.cli", "demo", "--port", str(port), "--checkpoint", CHECKPOINT,
         "--checkpoint", "mnist-gan"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_page(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def image_size(page, elem_id: str, timeout_ms: int = 120_000) -> tuple[int, int]:
    selector = f"#{elem_id} img"
    page.wait_for_function(
        f"() => {{ const i = document.querySelector('{selector}'); return i && i.complete && i.naturalWidth > 0; }}",
        timeout=timeout_ms)
    return tuple(page.eval_on_selector(selector, "i => [i.naturalWidth, i.naturalHeight]"))


def test_demo_page_in_a_headless_browser(demo_server):
    playwright = require("playwright.sync_api")
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(demo_server, wait_until="domcontentloaded")
            page.wait_for_selector("#draw", timeout=60_000)
            page.wait_for_function("() => document.querySelector('#about')?.innerText.includes('mnist-cgan')",
                                   timeout=60_000)
            # A conditional checkpoint offers its classes: ask for the digit 7.
            page.click("#label input")
            page.get_by_role("option", name="7", exact=True).click()
            page.fill("#seed input", "3")
            page.click("#draw")
            n = 16
            size = image_size(page, "samples")
            scale = demo.display_scale(28)
            grid = make_grid(np.zeros((n, 28, 28, 1), np.uint8))
            assert size == (grid.shape[1] * scale, grid.shape[0] * scale)

            page.click("#walk")
            walk_size = image_size(page, "walk-image")
            row = make_grid(np.zeros((8, 28, 28, 1), np.uint8), nrow=8)
            assert walk_size == (row.shape[1] * scale, row.shape[0] * scale)
            page.screenshot(path=str(artifacts_dir() / f"demo-{BACKEND}.png"), full_page=True)

            # What the page drew is what the library draws for the same checkpoint, seed and class.
            src = page.get_attribute("#samples img", "src")
            with urllib.request.urlopen(urllib.parse.urljoin(demo_server, src), timeout=30) as response:
                from io import BytesIO

                from PIL import Image

                shown = np.asarray(Image.open(BytesIO(response.read())).convert("RGB"))
            np.testing.assert_array_equal(shown, demo.draw_samples(CHECKPOINT, n, 3, "7"))
        finally:
            browser.close()


def test_demo_refuses_what_it_cannot_show():
    require("gradio")
    from kerasgan.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="not nope"):
        demo.build_demo(["nope"])
    with pytest.raises(InvalidArgumentError, match="1 to 64 samples, not 0"):
        demo.draw_samples("mnist-gan", 0, 0)


def test_app_py_is_the_same_page_for_a_space():
    gradio = require("gradio")
    namespace = {"__name__": "space"}  # not "__main__": build the page without serving it
    exec(compile((ROOT / "app.py").read_text(), "app.py", "exec"), namespace)
    assert isinstance(namespace["demo"], gradio.Blocks)


def test_demo_without_gradio_says_how_to_get_it(monkeypatch):
    from typer.testing import CliRunner

    from kerasgan import cli

    monkeypatch.setitem(sys.modules, "gradio", None)  # as if the demo extra were not installed
    result = CliRunner().invoke(cli.app, ["demo", "--port", str(free_port())])
    assert result.exit_code == 2
    assert "pip install 'kerasgan[demo]'" in result.output and "Traceback" not in result.output
