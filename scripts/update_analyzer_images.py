"""Write the Model Monitor analyzer's registry account, per region, into the schedule template.

The analyzer image lives in a different AWS account in each region. The SageMaker Python SDK
lists them (``sagemaker/image_uri_config/model-monitor.json``); this script copies that list into
the ``AnalyzerAccount`` mapping of ``assets/monitoring-schedule.template.json``. Run it after
upgrading the SDK (``.venv/bin/python scripts/update_analyzer_images.py``);
``tests/test_templates.py`` fails while the template and the installed SDK disagree.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "assets" / "monitoring-schedule.template.json"


def sdk_registries() -> dict[str, str]:
    """Region -> registry account of the analyzer image, from the installed SDK (not imported)."""
    spec = importlib.util.find_spec("sagemaker")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the sagemaker package is not installed: run `make setup` first")
    config = Path(next(iter(spec.submodule_search_locations))) / "image_uri_config" / "model-monitor.json"
    versions = json.loads(config.read_text())["versions"]
    (only,) = versions.values()  # the analyzer has one unversioned entry
    if only.get("repository") != "sagemaker-model-monitor-analyzer":
        raise SystemExit(f"{config}: unexpected repository {only.get('repository')!r}")
    return dict(sorted(only["registries"].items()))


def main() -> None:
    template = json.loads(TEMPLATE.read_text())
    template["Mappings"]["AnalyzerAccount"] = {region: {"Account": account} for region, account in sdk_registries().items()}
    TEMPLATE.write_text(json.dumps(template, indent=2) + "\n")
    print(f"{TEMPLATE.name}: {len(template['Mappings']['AnalyzerAccount'])} regions")


if __name__ == "__main__":
    main()
