"""Parameters reach the notebook as data, and concurrent runs never share a report folder."""

from __future__ import annotations

import shutil
import threading

import yaml
from conftest import SAMPLES

from opskit.run import run


def test_code_in_paths_and_names_is_never_executed(tmp_path):
    """An engagement whose folder and client name hold quotes, newlines and code runs
    normally; the code it carries is never executed."""
    marker = tmp_path / "PWNED"
    payload = f"x\"; open({str(marker)!r}, 'w') #\n__import__('os').system('touch {marker}')"
    folder = tmp_path / ("eng'\"" + payload.replace("/", "_"))
    shutil.copytree(SAMPLES / "control", folder)
    config_path = folder / "engagement.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["client"] = payload
    config_path.write_text(yaml.safe_dump(config))
    outcome = run(folder, out=tmp_path / "reports", progress=False,
                  ledger=tmp_path / "ledger.sqlite")
    assert outcome.html.is_file()
    assert not marker.exists()
    assert "open(" in outcome.html.read_text()  # the name is shown, as text


def test_two_runs_of_one_client_at_once(tmp_path):
    """Two concurrent runs of the same client write to different folders and both finish."""
    outcomes = []

    def one() -> None:
        outcomes.append(run(SAMPLES / "control", out=tmp_path / "reports", progress=False,
                            ledger=tmp_path / "ledger.sqlite"))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    assert outcomes[0].folder != outcomes[1].folder
    for outcome in outcomes:
        assert outcome.html.is_file() and outcome.json.is_file()
