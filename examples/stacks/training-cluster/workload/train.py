"""Distributed data-parallel training skeleton, started by torchrun on every node.

torchrun reads the rendezvous from the flags the Task's command passes, which come from the
cluster environment the startup script exports (FLOW_NUM_NODES, FLOW_NODE_RANK, MASTER_ADDR).
"""
import argparse
import os

import torch
import torch.distributed as dist


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/data")
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    dist.init_process_group("nccl")
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(4096, 4096).cuda(), device_ids=[local_rank])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    for step in range(args.steps):
        loss = model(torch.randn(64, 4096, device="cuda")).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if dist.get_rank() == 0 and step % 10 == 0:
            print(f"step {step} loss {loss.item():.4f} world {dist.get_world_size()} data {args.data}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
