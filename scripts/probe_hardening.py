"""Measurements behind docs/reliability.md for issue 13, against ``python -m api`` on loopback only.

    .venv/bin/python scripts/probe_hardening.py idle-sockets [--plain] [--runs 3]
    .venv/bin/python scripts/probe_hardening.py cost-dos [--plain] [--seconds 60]
    .venv/bin/python scripts/probe_hardening.py question-cost [--runs 5]

``idle-sockets``: the server under ``ulimit -n 1024`` (RLIMIT_NOFILE set in the child), 1,030 sockets that
never send a byte, then 20 ``GET /healthz`` on new connections while they are held; prints the latency
median / max and how many "out of system resource" lines the server logged. ``--plain`` runs the same
app under uvicorn's own h11 protocol (no header timeout, no connection cap), as before this work.

``question-cost``: the CPU time of new random CJK questions of 10–500 characters, in process.

``cost-dos``: 4 attacker addresses (127.0.0.2–5) send new 500-character random CJK questions as fast as
their rate limit lets them (after a 429 they wait its Retry-After), while 16 users (127.0.1.1–16) each ask
an ordinary dev-split question every 2 s; prints the users' and attackers' outcomes and the server-side
CPU time of the questions answered. ``--plain`` lifts the cost bucket and the expensive lane (the
settings made huge), which leaves the request-counting limit alone, as before this work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start(
    args: list[str], env: dict[str, str], log: Path, nofile: int | None = None
) -> subprocess.Popen[bytes]:
    def limit() -> None:
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=log.parent,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=limit,
        )


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server not ready")


def server_args(port: int, plain: bool, log_level: str = "warning") -> list[str]:
    if plain:
        return [
            "-m",
            "uvicorn",
            "api.worker:create_worker_app",
            "--factory",
            "--http",
            "h11",
            "--host",
            HOST,
            "--port",
            str(port),
            "--log-level",
            log_level,
        ]
    return ["-m", "api", "--no-build", "--host", HOST, "--port", str(port), "--log-level", log_level]


def idle_sockets(plain: bool, runs: int) -> None:
    for run in range(runs):
        tmp = Path(tempfile.mkdtemp(prefix="probe-idle-"))
        port = free_port()
        env = {"TASKQA_FEEDBACK_DB": str(tmp / "fb.sqlite3"), "TASKQA_INDEX_DIR": str(ROOT / "var" / "index")}
        proc = start(server_args(port, plain), env, tmp / "server.log", nofile=1024)
        url = f"http://{HOST}:{port}"
        try:
            wait_ready(url, proc)
            idle = [socket.create_connection((HOST, port), timeout=10) for _ in range(1030)]
            time.sleep(0.5)
            latencies, failures = [], 0
            for _ in range(20):
                t0 = time.perf_counter()
                try:
                    ok = httpx.get(url + "/healthz", timeout=5).status_code == 200
                except httpx.TransportError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                failures += not ok
            for s in idle:
                s.close()
        finally:
            proc.terminate()
            proc.wait(30)
        log = (tmp / "server.log").read_text(errors="replace")
        print(
            f"run {run + 1} ({'plain uvicorn' if plain else 'python -m api'}): /healthz x20 with 1030 idle "
            f"sockets under ulimit -n 1024: {20 - failures} answered 200, median "
            f"{statistics.median(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; "
            f"'out of system resource' logged {log.count('out of system resource')} times",
            flush=True,
        )


def random_cjk(rng: random.Random, n: int) -> str:
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


async def attacker(ip: str, url: str, until: float, seed: int, out: Counter[str]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=ip), timeout=60) as c:
        while time.monotonic() < until:
            r = await c.post(url + "/api/v1/ask", json={"question": random_cjk(rng, 500)})
            out[str(r.status_code)] += 1
            if r.status_code in (429, 503):
                await asyncio.sleep(min(float(r.headers.get("retry-after", "1")), until - time.monotonic()))


async def user(ip: str, url: str, until: float, questions: list[str], out: Counter[str]) -> None:
    async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=ip), timeout=60) as c:
        i = 0
        while time.monotonic() < until:
            t0 = time.monotonic()
            try:
                r = await c.post(url + "/api/v1/ask", json={"question": questions[i % len(questions)]})
                out[str(r.status_code)] += 1
            except httpx.TransportError as exc:
                out[type(exc).__name__] += 1
            i += 1
            await asyncio.sleep(max(0.0, 2.0 - (time.monotonic() - t0)))


def cost_dos(plain: bool, seconds: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="probe-cost-"))
    port = free_port()
    env = {"TASKQA_FEEDBACK_DB": str(tmp / "fb.sqlite3"), "TASKQA_INDEX_DIR": str(ROOT / "var" / "index")}
    if plain:
        env |= {
            "TASKQA_COST_MS_PER_MINUTE": "1e12",
            "TASKQA_COST_BURST_MS": "1e12",
            "TASKQA_EXPENSIVE_MS": "1e12",
        }
    proc = start(server_args(port, False, "info"), env, tmp / "server.log")
    url = f"http://{HOST}:{port}"
    from eval.questions import load_questions

    ordinary = [q.question for q in load_questions(split="dev")]
    random.Random(7).shuffle(ordinary)
    users: Counter[str] = Counter()
    attackers: Counter[str] = Counter()
    try:
        wait_ready(url, proc)

        async def everyone() -> None:
            until = time.monotonic() + seconds
            await asyncio.gather(
                *(attacker(f"127.0.0.{2 + i}", url, until, i, attackers) for i in range(4)),
                *(
                    user(f"127.0.1.{1 + i}", url, until, ordinary[i * 40 : (i + 1) * 40], users)
                    for i in range(16)
                ),
            )

        asyncio.run(everyone())
    finally:
        proc.terminate()
        proc.wait(30)
    cpu = []
    for line in (tmp / "server.log").read_text(errors="replace").splitlines():
        start_at = line.find('{"event": "ask"')
        if start_at >= 0:
            cpu.append(json.loads(line[start_at:])["cpu_ms"])
    cpu.sort()
    total = sum(users.values())
    print(f"{'request counting only' if plain else 'admission by cost'}, {seconds:.0f} s:")
    print(f"  16 users: {dict(users)}; shed (503) {users['503'] / total:.1%} of {total}")
    print(f"  4 attackers: {dict(attackers)}")
    if cpu:
        print(
            f"  server-side CPU per answered question: median {statistics.median(cpu):.1f} ms, "
            f"max {cpu[-1]:.1f} ms over {len(cpu)}; questions >= 500 ms: {sum(c >= 500 for c in cpu)}"
        )


def question_cost(runs: int) -> None:
    """CPU time of new random CJK questions by length, in process (the model embeds each one)."""
    from index.store import current_version_dir
    from qa import QA, SessionStore
    from retriever import load_retriever

    qa = QA(load_retriever(current_version_dir()))
    rng = random.Random(0)
    qa.answer("谁牵头负责电力接入？", session=SessionStore().get(None))  # load the model
    for n in (10, 30, 100, 200, 500):
        cpu = []
        for _ in range(runs):
            t0 = time.thread_time()
            qa.answer(random_cjk(rng, n), session=SessionStore().get(None))
            cpu.append((time.thread_time() - t0) * 1000)
        print(
            f"{n:4d} characters: CPU median {statistics.median(cpu):.1f} ms, "
            f"max {max(cpu):.1f} ms ({runs} runs)"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("probe", choices=["idle-sockets", "cost-dos", "question-cost"])
    ap.add_argument("--plain", action="store_true", help="the behaviour before this work")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    if args.probe == "idle-sockets":
        idle_sockets(args.plain, args.runs)
    elif args.probe == "question-cost":
        question_cost(args.runs)
    else:
        cost_dos(args.plain, args.seconds)


if __name__ == "__main__":
    main()
