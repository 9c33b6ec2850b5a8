"""Notebooks 07 and 08 with backend="aws", monitoring="self" in the fake account of the AWS path.

The account is issue 13's (``fake_account``: moto, plus answers in botocore's shapes), laid out
like each variant of the original, with no Model Monitor schedule of ours: notebook 07 deploys
the self-run schedule for the production endpoint (EventBridge Scheduler, both roles, the code in
S3) and 08 reads its cron. Then the schedule fires once as the Scheduler would (its own request,
context attributes filled in) and the job runs on the account's capture.
"""

from __future__ import annotations

import json

import pytest
from fake_account import LAYOUTS, T0, fake_environment, lay_out
from moto import mock_aws
from test_fake_account import run_in_process

from helpers import session
from helpers.cli import main
from helpers.runner import NOTEBOOKS
from helpers.workshop.selfrun import scheduler_request, selfrun_schedule


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_schedule_notebooks_deploy_and_read_the_self_run_schedule(variant, tmp_path, monkeypatch):
    layout = LAYOUTS[variant]
    with mock_aws():
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.chdir(tmp_path)
        answers = fake_environment(monkeypatch, tmp_path)
        lay_out(layout, answers, tmp_path)
        parameters = {"backend": "aws", "monitoring": "self"}
        seven = run_in_process(NOTEBOOKS / "07_monitoring_schedule.py", parameters, tmp_path)
        eight = run_in_process(NOTEBOOKS / "08_schedule_cron.py", parameters, tmp_path)
        assert (seven["schedule"].cron, seven["schedule"].endpoint) == ("cron(0 * * * ? *)", layout.endpoint)
        assert seven["schedule"].statistics_uri == f"{layout.baseline_uri}/statistics.json"
        assert seven["schedule"].reports_uri == layout.reports_uri
        assert eight["schedule"].status == "ENABLED"

        sess = session("aws", monitoring="self")
        info = selfrun_schedule(sess)
        assert info.environment["CAPTURE_S3_URI"] == layout.capture_uri
        role = sess.client("iam").get_role_policy(RoleName="mlops-nyctaxi-pms-selfrun-job", PolicyName="selfrun-job")
        sids = {s["Sid"] for s in role["PolicyDocument"]["Statement"]}
        assert ("DecryptCapture" in sids) == (variant == "studio")  # the studio variant's capture has a key

        request = scheduler_request(info.raw, T0, "d32c5kddcf5bb8c3")
        sess.client("sagemaker").create_processing_job(**request)
        for key, value in request["Environment"].items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("MESSAGE_FILE", str(tmp_path / "message"))
        assert main(["selfrun"]) == 0  # the hour completed (violations are a result)
        assert (tmp_path / "message").read_text().startswith("Completed")
        bucket, _, key = f"{layout.reports_uri}/{layout.endpoint}/mlops-nyctaxi-pms/2021/06/07/10/"[5:].partition("/")
        stored = sess.client("s3").get_object(Bucket=bucket, Key=key + "constraint_violations.json")["Body"].read()
        assert "violations" in json.loads(stored)
