"""The workflow runs through an executor plugin, every job a process of its own,
as on a cluster: the cluster-generic profile with its local submit command
builds the same bytes as the default profile."""

from __future__ import annotations

import pytest
import yaml
from buildkit import base_build, copy_sources, hashes, snakemake, tail

pytestmark = pytest.mark.slow


def test_cluster_generic_profile_builds_the_same_bytes(tmp_path_factory):
    base = base_build(tmp_path_factory)
    repo = copy_sources(base, tmp_path_factory.mktemp("cluster") / "repo")
    # HTML alone keeps the run short; the data stages are all exercised.
    config = yaml.safe_load((repo / "config/config.yaml").read_text(encoding="utf-8"))
    config["report"]["formats"] = ["html"]
    (repo / "config/html-only.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = snakemake(repo, "--workflow-profile", "workflow/profiles/cluster-generic",
                       "--configfile", "config/html-only.yaml")
    assert result.returncode == 0, tail(result)
    out = result.stdout + result.stderr
    assert "Submitted job" in out and "with external jobid" in out, "jobs did not go through the submit command"
    mine, theirs = hashes(repo, ["data/processed"]), hashes(base, ["data/processed"])
    assert mine == theirs
    html = "report/_output/tomas.html"
    assert (repo / html).read_bytes() == (base / html).read_bytes()
