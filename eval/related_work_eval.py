"""Measure related-work drafts against topics with exhaustive gold lists.

    python eval/related_work_eval.py [TOPICS.jsonl] [--data-dir DIR] [--words N]

Each line of TOPICS: {"topic", "gold": [titles], "acceptable": [titles]}. Reports, per
topic and overall, the share of gold papers cited (coverage), the share of citations that
are gold or acceptable (on topic), the word count against --words, and the theme names.
Needs an index of the papers the titles name (default: the configured data dir).
related_work_topics_heldout.jsonl holds 5 more topics, labelled later by a reader who saw
none of the drafts (each label with the abstract's words that justify it): measure on it
to see how drafts fare on topics nobody tuned for.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.app import Assistant
from assistant.config import Settings

DEFAULT_TOPICS = Path(__file__).with_name("related_work_topics.jsonl")


def measure(assistant: Assistant, topic: dict, words: int) -> dict:
    draft = assistant.related_work(topic["topic"], words=words, llm=False)
    cited = [c.paper.title for c in draft.citations]
    gold, fine = set(topic["gold"]), set(topic["gold"]) | set(topic.get("acceptable", []))
    return {
        "topic": topic["topic"],
        "coverage": len(gold & set(cited)) / len(gold),
        "on_topic": sum(t in fine for t in cited) / len(cited) if cited else 0.0,
        "words": len(draft.text.split()),
        "themes": [t.name for t in draft.themes],
        "missed": sorted(gold - set(cited)),
        "off_topic": [t for t in cited if t not in fine],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topics", nargs="?", type=Path, default=DEFAULT_TOPICS)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    assistant = Assistant(settings)
    topics = [json.loads(line) for line in args.topics.read_text().splitlines() if line.strip()]
    rows = [measure(assistant, topic, args.words) for topic in topics]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        print(
            f"{row['topic']}\n  coverage {row['coverage']:.2f}  on topic {row['on_topic']:.2f}"
            f"  words {row['words']}/{args.words}\n  themes: {'; '.join(row['themes'])}"
        )
        for title in row["missed"]:
            print(f"  missed: {title}")
        for title in row["off_topic"]:
            print(f"  off topic: {title}")
    n = len(rows)
    print(
        f"\nmean coverage {sum(r['coverage'] for r in rows) / n:.3f}"
        f"  mean on topic {sum(r['on_topic'] for r in rows) / n:.3f}"
    )


if __name__ == "__main__":
    main()
