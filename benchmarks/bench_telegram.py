"""Telegram throughput: N messages to N chats through the Bot API stand-in enforcing 30/s.

The channel must reach at least 27 messages a second (90% of Telegram's 30) while receiving no
429 answer at all: the limiter, not Telegram, does the pacing. Prints one JSON line per figure.

    python benchmarks/bench_telegram.py [--messages 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from telegram_standin import TelegramStandin  # noqa: E402

from fmstoolkit.config import Settings  # noqa: E402
from fmstoolkit.notify.message import Button, OutgoingMessage  # noqa: E402
from fmstoolkit.notify.telegram import TelegramChannel  # noqa: E402

TARGET_PER_S = 27.0


def messages(count: int) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            outbox_id=i,
            freelancer_id=i,
            kind="availability_question",
            channel="telegram",
            recipient=str(100_000 + i),
            text=f"<b>Request {i}</b>: are you available from 2 to 13 March?",
            buttons=((Button("Yes", f"a:{i}:y"), Button("No", f"a:{i}:n")),),
        )
        for i in range(count)
    ]


async def run(count: int) -> dict[str, float]:
    with TelegramStandin() as standin:
        settings = Settings(telegram_token=standin.token, telegram_api_url=standin.url)
        batch = messages(count)
        async with TelegramChannel(settings) as channel:
            started = time.perf_counter()
            results = await asyncio.gather(
                *[channel.send(m) for m in batch], return_exceptions=True
            )
            seconds = time.perf_counter() - started
        failures = sum(isinstance(r, BaseException) for r in results)
        return {
            "seconds": seconds,
            "sent": len(standin.sent),
            "failures": failures,
            "count_429": standin.count_429,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000, help="Messages (and chats) to send.")
    args = parser.parse_args()
    figures = asyncio.run(run(args.messages))
    per_s = figures["sent"] / figures["seconds"]
    ok_rate = per_s >= TARGET_PER_S and figures["sent"] == args.messages
    lines = [
        {
            "bench": "telegram_msgs_per_s",
            "value": round(per_s, 2),
            "target": TARGET_PER_S,
            "messages": args.messages,
            "sent": figures["sent"],
            "failures": figures["failures"],
            "seconds": round(figures["seconds"], 2),
            "ok": ok_rate,
        },
        {
            "bench": "telegram_429_received",
            "value": figures["count_429"],
            "target": 0,
            "ok": figures["count_429"] == 0,
        },
    ]
    for line in lines:
        print(json.dumps(line))


if __name__ == "__main__":
    main()
