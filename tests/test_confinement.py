"""Nothing is written outside the chosen output folder, and batch clients share nothing.

Each test runs the real command line in a child process whose home, temporary folder and
working directory are folders of the test, next to a copy of the engagements. A snapshot of
that whole tree before and after the run shows every file and folder the run created,
changed or removed: all of them must lie inside the output folder the command was given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES
from report_helpers import artifact_texts, contact_leaks, contact_values

from opskit.batch.plan import slugify

CLIENTS = {"control": "Juniper Lane Goods", "services": "Brightline Home Services"}
LEDGER_FILES = {".opskit", ".opskit/ledger.sqlite", ".opskit/ledger.sqlite-wal",
                ".opskit/ledger.sqlite-shm"}


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` (relative, '/'-separated, root itself as '.'): (size,
    mtime). A folder's mtime changes when an entry is created in it or removed from it, so
    a file written and deleted again during the run still shows as a changed folder."""
    seen: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in (".", *dirs, *files):
            path = Path(folder, name)
            stat = path.lstat()
            seen[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return seen


def changes(before: dict, after: dict) -> set[str]:
    """Paths created, modified or removed between two snapshots."""
    return {p for p in before.keys() | after.keys() if before.get(p, "gone") != after.get(p,
                                                                                       "gone")}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """home/, tmp/, cwd/ and clients/ (copies of two samples, without their reports)."""
    for name in ("home", "tmp", "cwd"):
        (tmp_path / name).mkdir()
    for slug in CLIENTS:
        shutil.copytree(SAMPLES / slug, tmp_path / "clients" / slug,
                        ignore=shutil.ignore_patterns("reports", ".opskit"))
    return tmp_path


def opskit(root: Path, *args: str) -> tuple[set[str], str]:
    """Run ``opskit ARGS`` as a consultant would, from root/cwd with root/home as the home
    and root/tmp as the temporary folder; return what changed under root, and stdout."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "IPYTHON", "XDG_", "DASK_", "MPL", "SQLITE_TMP"))}
    env.update(HOME=str(root / "home"), TMPDIR=str(root / "tmp"), TMP=str(root / "tmp"),
               TEMP=str(root / "tmp"), PYTHONDONTWRITEBYTECODE="1")
    before = snapshot(root)
    done = subprocess.run([sys.executable, "-m", "opskit", *args], cwd=root / "cwd", env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return changes(before, snapshot(root)), done.stdout


def outside(changed: set[str], *allowed: str) -> list[str]:
    """The changed paths not inside any of the ``allowed`` folders. The folders that hold an
    allowed folder change too when it is created in them, and count as inside."""
    holders = {parent.as_posix() for a in allowed for parent in Path(a).parents}
    return sorted(p for p in changed if p not in holders
                  and not any(p == a or p.startswith(a + "/") for a in allowed))


@pytest.mark.parametrize(("out", "where"), [("../out", "out"), ("~/reports", "home/reports")],
                         ids=["relative", "tilde"])
def test_run_with_out_writes_nothing_outside_it(workspace, out, where):
    """`opskit run --out OUT`: every file it writes, its ledger included, is inside OUT; the
    engagement, the working directory, the home and the temporary folder are untouched. A
    '~' the shell left alone (`--out=~/reports`) is the home, for the reports and the
    ledger alike."""
    changed, stdout = opskit(workspace, "run", "../clients/control", f"--out={out}")
    assert outside(changed, where) == []
    written = {p.removeprefix(where + "/") for p in changed if p.startswith(where + "/")}
    assert LEDGER_FILES >= {p for p in written if p.startswith(".opskit")} >= {
        ".opskit", ".opskit/ledger.sqlite"}
    (folder,) = {p.split("/")[0] for p in written if not p.startswith(".opskit")}
    assert {"report.html", "findings.json", "findings.xlsx", "run/diagnostic.ipynb",
            "run/kernel.log"} <= {p.split("/", 1)[1] for p in written if "/" in p}
    assert ".ipython" not in " ".join(written)  # the kernel's profile folder is removed
    assert f"{where}/{folder}/report.html" in stdout.replace(str(workspace) + "/", "")


def test_run_without_out_writes_its_reports_and_the_workspace_ledger_only(workspace):
    """Without --out the output is the engagement's reports/ folder, plus the workspace
    ledger beside the engagements (issue 7's default); nothing else anywhere."""
    changed, _ = opskit(workspace, "run", "../clients/control")
    assert outside(changed, "clients/control/reports", "clients/.opskit") == []
    assert "clients/.opskit/ledger.sqlite" in changed
    assert any(p.endswith("/report.html") for p in changed)


def test_an_explicit_ledger_is_the_only_write_besides_the_output_folder(workspace):
    """--ledger FILE records the run in FILE (a consultant's own choice of place) and
    nowhere else; the reports stay in --out."""
    changed, _ = opskit(workspace, "run", "../clients/control", "--out", "../out",
                        "--ledger", "../books/ledger.sqlite")
    assert outside(changed, "out", "books") == []
    assert "books/ledger.sqlite" in changed and not any(p.startswith("out/.opskit")
                                                         for p in changed)


@pytest.mark.parametrize("scheduler", [[], ["--scheduler", "local"]], ids=["pool", "dask"])
def test_batch_clients_share_no_file_or_folder(workspace, sample_engagements, scheduler):
    """`opskit batch --out OUT` writes only inside OUT; each client's artifacts are in its own
    folder, hold none of the other client's name, emails or phone numbers, and no file is
    linked into two places. Beside the client folders there is only batch.json and the
    ledger. The same holds on a Dask LocalCluster (its workers' scratch folder lives in OUT
    during the batch and is removed after)."""
    changed, _ = opskit(workspace, "batch", "../clients", "--out", "../out", "--workers", "2",
                        *scheduler)
    assert outside(changed, "out") == []
    out = workspace / "out"
    folders = {sample: out / slugify(name) for sample, name in CLIENTS.items()}
    assert {p.name for p in out.iterdir()} == {*(f.name for f in folders.values()),
                                                 "batch.json", ".opskit"}
    assert {p.relative_to(out).as_posix() for p in (out / ".opskit").rglob("*")} | {
        ".opskit"} <= LEDGER_FILES
    for path in out.rglob("*"):
        assert not path.is_symlink(), path
        if path.is_file():
            assert path.stat().st_nlink == 1, path
    texts = {sample: artifact_texts(folder) for sample, folder in folders.items()}
    for slug, other in (("control", "services"), ("services", "control")):
        assert any(name.endswith("report.html") for name in texts[slug])
        assert any(CLIENTS[slug] in text for text in texts[slug].values())
        assert [name for name, text in texts[slug].items() if CLIENTS[other] in text] == []
        emails, phones = contact_values(sample_engagements[other])
        assert contact_leaks(texts[slug], emails, phones) == []


def test_names_from_client_data_cannot_steer_a_batch_out_of_its_folder(tmp_path):
    """A client named like a path gets a folder-safe slug inside the batch's folder; a
    manifest slug with '..' or '/' is refused with a message naming it."""
    from opskit.batch.plan import plan
    from opskit.errors import ConfigError

    for name, client in (("a", "../../../tmp/evil"), ("b", "/etc/passwd")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "engagement.yaml").write_text(f"client: {client!r}\n")
    out = tmp_path / "out"
    jobs = plan(tmp_path, out=out, workers=1, timeout=60, audience="consultant",
                scheduler=None)
    assert [Path(job.out) for job in jobs] == [(out / "tmp-evil").resolve(),
                                               (out / "etc-passwd").resolve()]
    manifest = tmp_path / "batch.yaml"
    manifest.write_text("clients:\n  - path: a\n    slug: ../escape\n")
    with pytest.raises(ConfigError) as caught:
        plan(manifest, out=out, workers=1, timeout=60, audience="consultant", scheduler=None)
    assert caught.value.message == (
        "batch.yaml, client 1 (a), slug: expected lowercase letters, digits and '-', at most "
        "64, got '../escape'. Hint: the slug names the client's folder inside the batch's "
        "output folder, e.g. acme-q3")


def test_an_output_folder_that_cannot_hold_reports_is_refused(tmp_path, capsys):
    """--out naming a file, a folder that cannot be created, or a folder among the client's
    exports is a one-line error (exit 2) before any kernel starts, and nothing is written."""
    from opskit.cli import main

    engagement = tmp_path / "acme"
    shutil.copytree(SAMPLES / "control", engagement,
                    ignore=shutil.ignore_patterns("reports", ".opskit"))
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    before = snapshot(tmp_path)
    cases = {
        str(a_file): "expected a folder, got a file. Hint: choose a folder name, or move the "
                     "file aside",
        str(a_file / "sub"): "expected a folder opskit can create and write in, got Not a "
                             "directory. Hint: choose another folder with --out",
        str(engagement / "data" / "reports"): (
            f"expected a folder outside the engagement's data/ folder, got a folder inside "
            f"{engagement / 'data'}. Hint: omit --out to write into the engagement's "
            "reports/, or choose a folder elsewhere"),
    }
    for out, message in cases.items():
        assert main(["run", str(engagement), "--out", out]) == 2
        assert capsys.readouterr().err.replace("\n", " ").strip() == (
            f"error: --out {out}: {message}")
    assert main(["batch", str(tmp_path), "--out", str(engagement / "data" / "x")]) == 2
    assert "outside the engagement's data/ folder" in capsys.readouterr().err
    assert changes(before, snapshot(tmp_path)) == set()


def test_the_kernel_keeps_no_history_and_no_files_outside_the_report(tmp_path):
    """The kernel's connection file and IPython profile live in the report folder and are
    gone after the run; IPython's SQLite history of cells is off inside the kernel."""
    import nbformat

    from opskit.run import execute, kernel_manager_class

    manager = kernel_manager_class(None, tmp_path / "profile")(kernel_name="python3")
    assert Path(manager.connection_file).parent == tmp_path / "profile"
    shutil.rmtree(tmp_path / "profile")
    (tmp_path / ".ipython").mkdir()  # a user's own profile where the output goes: kept
    (tmp_path / ".ipython" / "keep.txt").write_text("mine")
    probe = nbformat.v4.new_notebook()
    probe.cells = [nbformat.v4.new_code_cell(
        "import os\nhm = get_ipython().history_manager\n"
        "print(hm.enabled, hm.hist_file, os.environ['IPYTHONDIR'])")]
    probe.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                    "display_name": "Python 3"}
    nbformat.write(probe, tmp_path / "probe.ipynb")
    execute({}, tmp_path / "out.ipynb", progress=False, notebook=tmp_path / "probe.ipynb")
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    enabled, hist_file, ipython_dir = executed.cells[0].outputs[0]["text"].split()
    assert (enabled, hist_file) == ("False", ":memory:")
    assert Path(ipython_dir).parent == tmp_path and Path(ipython_dir).name.startswith(
        ".ipython-")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ipython", "kernel.log",
                                                          "out.ipynb", "probe.ipynb"]
    assert (tmp_path / ".ipython" / "keep.txt").read_text() == "mine"
