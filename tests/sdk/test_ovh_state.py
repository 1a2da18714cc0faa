"""`peerlab serve --state FILE` covers OVHcloud Connect: configurations, tasks and the vRack
survive a SIGKILL, and the BGP sessions the configurations make come back.
"""

import signal

from ovh_support import SERVICE_A, VRACK, Server, create, in_vrack, l3_dc, l3_pop


def test_ovh_resources_survive_a_restart(tmp_path):
    state = tmp_path / "state.json"
    first = Server(["--state", str(state)])
    try:
        occ = first.client()
        in_vrack(first, occ)
        pop = l3_pop(occ)
        dc = l3_dc(occ, pop["id"])
        first.settle()
        dc_path = f"/ovhCloudConnect/{SERVICE_A}/config/pop/{pop['id']}/datacenter/{dc['id']}"
        extra = create(occ, f"{dc_path}/extra", type="network", nextHop="10.10.0.5",
                         subnet="172.20.0.0/16")
        # Acknowledged but not done: the task must come back unfinished.
        tasks = occ.get(f"/ovhCloudConnect/{SERVICE_A}/task")
        before = {t: occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{t}") for t in tasks}
        sessions = first.runtime()["sessions"]
        assert len(sessions) == 1
    finally:
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        first.log.close()
    assert state.is_file()
    second = Server(["--state", str(state)], port=first.port)
    try:
        occ = second.client()
        assert occ.get(f"/ovhCloudConnect/{SERVICE_A}")["vrack"] == VRACK
        assert occ.get(f"/vrack/{VRACK}/ovhCloudConnect") == [SERVICE_A]
        assert occ.get(f"/ovhCloudConnect/{SERVICE_A}/config/pop/{pop['id']}")["status"] == "active"
        assert occ.get(dc_path)["subnet"] == "10.10.0.0/28"
        assert occ.get(f"{dc_path}/extra/{extra['id']}")["status"] == "init"
        after = {t: occ.get(f"/ovhCloudConnect/{SERVICE_A}/task/{t}") for t in tasks}
        assert after == before
        assert second.runtime()["sessions"][0]["id"] == sessions[0]["id"]
        second.settle()
        assert occ.get(f"{dc_path}/extra/{extra['id']}")["status"] == "active"
        assert "172.20.0.0/16" in second.runtime()["sessions"][0]["announce"]
    finally:
        second.stop()
