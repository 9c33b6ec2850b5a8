"""Without the SageMaker SDK v2 (SDK v3 kernels removed sagemaker.model_monitor), the steps that
need it stop with one sentence that says what to install, not a traceback."""

import sys
from types import SimpleNamespace

import pytest

from helpers.workshop import SdkUnavailable, sdk_model_monitor


def test_no_model_monitor_module_gives_one_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "sagemaker.model_monitor", None)  # as on an SDK v3 kernel
    with pytest.raises(SdkUnavailable) as raised:
        sdk_model_monitor(SimpleNamespace(monitoring="model-monitor"))
    shown = raised.value._render_traceback_()
    assert len(shown) == 1 and shown[0].startswith("Cannot run here: this step needs the SageMaker SDK v2")
    assert "'sagemaker>=2.232,<3'" in shown[0] and "removed sagemaker.model_monitor" in shown[0]
