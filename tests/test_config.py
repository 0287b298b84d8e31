import shutil

import pytest
import yaml

from tomas_pipeline.config import load_config
from tomas_pipeline.errors import TomasInputError


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
