"""Drives flow-compute's own SDK (the official Mithril Python client) through the spot-compute
lifecycle against whatever MITHRIL_API_URL points at. Prints one JSON line per step, so the jest
test can assert each; any exception ends the run with a traceback and a non-zero status.
"""
import json
from pathlib import Path
import sys
import traceback


def step(name, **facts):
    print(json.dumps({"step": name, **facts}, default=str), flush=True)


def main():
    from flow.sdk.client import Flow
    from flow.sdk.models import TaskConfig

    flow = Flow()
    provider = flow.provider

    types = flow.instances.list_instance_types()
    step("instance-types", count=len(types), names=sorted({str(t.get("name")) for t in types}))

    regions = flow.instances.available_regions_for_instance_type("a100-80gb.sxm.1x")
    prices = flow.instances.region_price_samples("a100-80gb.sxm.1x")
    step("availability", regions=sorted(regions), prices=prices)

    keys = flow.ssh.get_key_manager()
    generated = keys.generate_server_key()
    step("ssh-key-generated", fid=generated)
    uploaded = keys.upload_key(Path(sys.argv[1]), "peer-uploaded")
    step("ssh-key-uploaded", fid=uploaded)
    listed = keys.list_keys()
    step("ssh-keys", fids=sorted(k.fid for k in listed))

    config = TaskConfig(
        name="peer-task",
        instance_type="a100-80gb.sxm.1x",
        command="echo hello from the peer",
        max_price_per_hour=5.0,
        region="us-central1-a",
        ssh_keys=[generated],
        upload_code=False,
    )
    task = flow.run(config)
    step("task-submitted", task_id=task.task_id, status=str(task.status))

    tasks = flow.list_tasks()
    step("tasks", ids=[t.task_id for t in tasks])
    found = flow.get_task(task.task_id)
    step("task-found", task_id=found.task_id, status=str(found.status))

    flow.tasks.pause(task.task_id)
    step("paused", bid=flow.bids.resolve_bid(task.task_id).get("status"))
    flow.tasks.unpause(task.task_id)
    step("resumed", bid=flow.bids.resolve_bid(task.task_id).get("status"))

    flow.cancel(task.task_id)
    step("cancelled", status=flow.status(task.task_id))

    volume = flow.volumes.create(10, name="peer-data", interface="file", region="us-central1-a")
    step("volume-created", fid=volume.volume_id)
    step("volumes", fids=[v.volume_id for v in flow.volumes.list()])
    flow.volumes.delete(volume.volume_id)
    step("volume-deleted", remaining=[v.volume_id for v in flow.volumes.list()])
    step("done")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - the traceback is the report
        traceback.print_exc()
        sys.exit(1)
