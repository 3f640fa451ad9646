"""The review notebooks run top to bottom on the demo register, and are committed without outputs."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ("01_lukukausikatsaus.ipynb", "02_oppilaan_opinnot.ipynb")
AS_OF = date(2026, 6, 1)
# how many plots each notebook draws (one PNG per plot cell)
PLOTS = {"01_lukukausikatsaus.ipynb": 6, "02_oppilaan_opinnot.ipynb": 2}


@pytest.fixture(scope="module")
def demo_register(tmp_path_factory) -> Path:
    from toolkit.cli.main import main

    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(folder), "--as-of", AS_OF.isoformat()]) == 0
    return folder / "rekisteri.xlsx"


def _parameters_index(nb) -> int:
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    return tagged[0]


def run(name: str, **params) -> nbformat.NotebookNode:
    """Execute a notebook with its parameters overridden (papermill-style: a cell after the tagged one)."""
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    lines = [f"{key} = {value}" for key, value in params.items()]
    nb.cells.insert(_parameters_index(nb) + 1, nbformat.v4.new_code_cell("\n".join(lines)))
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


def outputs(nb, kind: str) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if kind in o.get("data", {})]


def errors(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_on_the_demo_register(name, demo_register):
    nb = run(name, REKISTERI=f"Path({str(demo_register)!r})", PAIVA=repr(AS_OF).replace("datetime.", ""))
    assert errors(nb) == []
    assert len(outputs(nb, "image/png")) == PLOTS[name]
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "laskettu 1.6.2026" in text


@pytest.mark.slow
def test_student_notebook_follows_the_student_parameter(demo_register):
    from toolkit.jobs.review import load_review

    tables = load_review(demo_register, AS_OF).tables
    last = tables.students.loc[tables.students["student_id"].isin(tables.studies["student_id"]), "student_id"].iloc[-1]
    nb = run("02_oppilaan_opinnot.ipynb", REKISTERI=f"Path({str(demo_register)!r})",
             PAIVA=repr(AS_OF).replace("datetime.", ""), OPPILAS=repr(last))
    assert errors(nb) == []
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert f"({last}): tila " in text


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs_and_no_execution_counts(name):
    raw = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    nbformat.validate(nbformat.reads(json.dumps(raw), as_version=4))
    code = [c for c in raw["cells"] if c["cell_type"] == "code"]
    assert code
    assert [c["outputs"] for c in code] == [[] for _ in code]
    assert [c["execution_count"] for c in code] == [None for _ in code]
    assert set(raw["metadata"]) <= {"kernelspec", "language_info"}  # no widget state or saved variables
    for c in raw["cells"]:
        assert set(c.get("metadata", {})) <= {"tags"}, c.get("id")
        assert "attachments" not in c


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_defaults_to_the_demo_register(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    params = nb.cells[_parameters_index(nb)]
    assert params is next(c for c in nb.cells if c.cell_type == "code"), "parameters come first"
    scope: dict = {}
    exec(params.source, scope)  # plain assignments only
    assert scope["REKISTERI"] == Path("../demo/rekisteri.xlsx")
    assert (NOTEBOOKS / scope["REKISTERI"]).resolve() == NOTEBOOKS.parent / "demo" / "rekisteri.xlsx"
    assert scope["PAIVA"] is None and scope["OPPILAS"] is None


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_use_only_the_public_review_api(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imports = sorted({line.strip() for line in source.splitlines() if line.strip().startswith(("import ", "from "))})
    assert imports == ["from datetime import date", "from pathlib import Path", "from toolkit.jobs.review import load_review",
                       "from toolkit.review import frames as review", "from toolkit.review import plots"]
    assert not re.search(r"\b(plots|review)\._", source)  # no private helpers
