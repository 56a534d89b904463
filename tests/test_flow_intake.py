"""The intake flow under a real (temporary) Prefect server gives the same result as the in-process run."""
import pytest
from conftest import AS_OF, file_report, person

pytestmark = pytest.mark.slow


def test_intake_flow_run(env, prefect_harness):
    from flows.intake import intake_flow

    env.roster("石油工程系", [person(), person(sid="2024010102", name="李四", political="群众")])
    report = intake_flow(str(env.inbox), str(env.outbox), str(env.state), AS_OF, "2020", 0)
    f = file_report(report, "石油工程系/名单.xlsx")
    assert f["status"] == "accepted"
    assert [i["code"] for i in f["issues"]] == ["political-status-not-allowed"]
    assert report["master"] == {"roster": 2}
    assert (env.outbox / "汇总.xlsx").exists()
    assert not (env.inbox / "石油工程系" / "名单.xlsx").exists()
