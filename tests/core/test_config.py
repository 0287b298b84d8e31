import shutil

import pytest
import yaml

from tomas_pipeline.core.config import load_config
from tomas_pipeline.core.errors import TomasInputError


def _config_tree(tmp_path, root, change):
    (tmp_path / "config").mkdir()
    (tmp_path / "workflow" / "schemas").mkdir(parents=True)
    shutil.copy(root / "workflow/schemas/config.schema.yaml", tmp_path / "workflow/schemas/")
    config = yaml.safe_load((root / "config/config.yaml").read_text())
    change(config)
    (tmp_path / "config/config.yaml").write_text(yaml.safe_dump(config))
    return tmp_path / "config/config.yaml"


def test_shipped_config_is_valid(root):
    config = load_config(root / "config/config.yaml")
    assert config["focus_countries"] == ["RS", "AL", "MK"]


@pytest.mark.parametrize("change, where", [
    (lambda c: c["report"].update(engine="pandoc"), "report.engine"),
    (lambda c: c["report"].update(formats=["html", "epub"]), "report.formats.1"),
    (lambda c: c.update(focus_countries=[]), "focus_countries"),
    (lambda c: c.update(colour="red"), "(top level)"),
])
def test_malformed_config_names_the_key(tmp_path, root, change, where):
    path = _config_tree(tmp_path, root, change)
    with pytest.raises(TomasInputError) as err:
        load_config(path)
    assert err.value.column == where
    assert "config.yaml" in str(err.value)


def test_config_yaml_is_read_safely(tmp_path, root):
    path = _config_tree(tmp_path, root, lambda c: None)
    path.write_text("focus_countries: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(yaml.YAMLError):
        load_config(path)


def test_a_bad_value_from_an_extra_configfile_names_that_file(tmp_path, root):
    import copy

    from tomas_pipeline.core.config import check_config, load_config

    base = load_config(root / "config" / "config.yaml")
    extra = tmp_path / "other.yaml"
    extra.write_text("# a second file, as `snakemake --configfile` merges it\naudit:\n  outdated_after_years: 0\n")
    merged = copy.deepcopy(base)
    merged["audit"]["outdated_after_years"] = 0
    schema = root / "workflow" / "schemas" / "config.schema.yaml"
    with pytest.raises(TomasInputError) as caught:
        check_config(merged, [extra], schema, default=root / "config" / "config.yaml")
    assert caught.value.file == str(extra) and caught.value.row == 3
    assert "audit.outdated_after_years" in str(caught.value) and "minimum of 1" in str(caught.value)
    # A key the extra file does not set is blamed on the default file.
    merged = copy.deepcopy(base)
    merged["report"]["engine"] = "word"
    with pytest.raises(TomasInputError) as caught:
        check_config(merged, [extra], schema, default=root / "config" / "config.yaml")
    assert caught.value.file == str(root / "config" / "config.yaml")


def _settings(schema: dict, prefix: str = "") -> list[str]:
    """Every setting the schema allows, dotted (a mapping of free keys is one setting)."""
    out = []
    for key, sub in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        out += _settings(sub, name + ".") if "properties" in sub else [name]
    return out


def test_config_readme_describes_every_setting(root):
    """The workflow catalog's convention: config/README.md has a row for each setting the schema allows."""
    schema = yaml.safe_load((root / "workflow/schemas/config.schema.yaml").read_text(encoding="utf-8"))
    readme = (root / "config/README.md").read_text(encoding="utf-8")
    settings = _settings(schema)
    assert "report.cache" in settings and "paths.raw" in settings  # the walk reaches nested settings
    missing = [s for s in settings if f"| `{s}` |" not in readme]
    assert not missing, f"config/README.md has no row for {missing}"
