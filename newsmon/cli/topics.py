"""`newsmon topics list|learn|test|eval|mark`: topic profiles, relevance scores and their quality."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import newsmon
from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.errors import NewsmonError
from newsmon.extract import extract_article
from newsmon.importer import read_document
from newsmon.topics import (
    Evaluation,
    LabelledText,
    LearnDocument,
    TopicProfile,
    evaluate,
    feedback_examples,
    find_topic,
    learn_topic,
    load_labelled_set,
    load_topics,
    mark_article,
    render_draft,
    score_article,
)

F = TypeVar("F", bound=Callable[..., Any])
_CHECKOUT = Path(newsmon.__file__).resolve().parents[1]
DEFAULT_SET = _CHECKOUT / "tests" / "data" / "topics"
DEFAULT_CORPUS = _CHECKOUT.parent / "shared" / "data" / "extraction-de" / "gold.jsonl"
DEFAULT_REFERENCES = _CHECKOUT.parent / "shared" / "seeds"


def topics_option(function: F) -> F:
    """Every topics command reads the shipped profiles unless told otherwise."""
    return click.option(
        "--topics",
        "topics_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Topics file to read instead of the shipped seeds/topics.toml.",
    )(function)


def _article(app: AppContext, path: Path) -> tuple[str, str, str | None]:
    """Title, text and language of a file, cleaned as `newsmon import` would clean it."""
    document, _ = read_document(path, app.config.import_.max_bytes)
    article = extract_article(document, app.config.tz, min_words=1)
    return article.title, article.text, article.language


@click.group("topics")
def topics_group() -> None:
    """Topic profiles: list, learn, test, evaluate, and mark articles for feedback."""


@topics_group.command("list")
@topics_option
@click.option("--json", "as_json", is_flag=True, help="JSON array of profiles (see README).")
def list_command(topics_file: Path | None, as_json: bool) -> None:
    """The loaded topic profiles.

    Example:

        newsmon topics list --json
    """
    profiles = load_topics(topics_file)
    if as_json:
        print_json([profile.summary() for profile in profiles])
        return
    for p in profiles:
        click.echo(
            f"{p.name}  {p.title}  [{', '.join(p.languages)}]  threshold {p.threshold}  "
            f"{len(p.entities)} entities, {len(p.terms)} terms, {len(p.recipients)} recipients"
        )


@topics_group.command("learn")
@click.argument("documents", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Slug of the new topic, e.g. ki-wettlauf-usa-china.")
@click.pass_obj
def learn_command(app: AppContext, documents: tuple[Path, ...], name: str) -> None:
    """Draft a profile from example documents and print it as TOML to review and edit.

    Example:

        newsmon topics learn ../shared/seeds/*.txt --name ki-wettlauf-usa-china > draft.toml
    """
    examples = []
    for path in documents:
        title, text, language = _article(app, path)
        examples.append(LearnDocument(path.name, title, text, language))
    sys.stdout.write(render_draft(learn_topic(name, examples)))


def _show_score(file: str, result: dict[str, Any]) -> None:
    verdict = "relevant" if result["relevant"] else "not relevant"
    click.echo(
        f"{file}  {result['topic']}  {result['score']:.4f} (threshold {result['threshold']}): {verdict}"
    )
    for item in result["explanation"]:
        click.echo(f"  {item['contribution']:+.4f}  {item['term']}")


@topics_group.command("test")
@click.argument("name")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@topics_option
@click.option("--json", "as_json", is_flag=True, help="JSON array, one object per file (see README).")
@click.pass_obj
def test_command(
    app: AppContext, name: str, files: tuple[Path, ...], topics_file: Path | None, as_json: bool
) -> None:
    """Score files against topic NAME and explain the score, without storing anything.

    A file that cannot be read gets one line on stderr and makes the exit status 1.

    Example:

        newsmon topics test ki-wettlauf-usa-china article.html --json
    """
    profile = find_topic(load_topics(topics_file), name)
    results = []
    failed = False
    for path in files:
        try:
            title, text, language = _article(app, path)
        except NewsmonError as exc:
            click.echo(f"{path}: {exc}", err=True)
            failed = True
            continue
        results.append({"file": str(path), **score_article(profile, title, text, language).as_dict()})
    if as_json:
        print_json(results)
    else:
        for result in results:
            _show_score(result["file"], result)
    if failed:
        sys.exit(1)


def _references(app: AppContext, profile: TopicProfile, directory: Path) -> list[LabelledText]:
    """The profile's reference documents found in ``directory``, as relevant examples."""
    return [
        LabelledText(name, "reference", True, *_article(app, directory / name))
        for name in profile.references
        if (directory / name).is_file()
    ]


def _show_evaluation(evaluation: Evaluation) -> None:
    rows = [(name, counts) for name, counts in evaluation.categories.items()]
    rows.append(("all", evaluation.overall))

    def shown(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    print_table(
        ("category", "texts", "tp", "fp", "fn", "tn", "precision", "recall", "specificity"),
        [
            (
                name,
                c.tp + c.fp + c.fn + c.tn,
                c.tp,
                c.fp,
                c.fn,
                c.tn,
                shown(c.precision),
                shown(c.recall),
                shown(c.specificity),
            )
            for name, c in rows
        ],
        title=f"{evaluation.topic}: {evaluation.source}",
    )
    for example, score in evaluation.mistakes:
        label = "relevant" if example.relevant else "irrelevant"
        click.echo(
            f"  wrong: {example.id} ({example.category}, {label}) scored {score.score:.4f}: {example.title}"
        )


@topics_group.command("eval")
@topics_option
@click.option("--topic", "topic_name", help="Only this topic (default: all).")
@click.option(
    "--set",
    "set_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of labelled sets (default: the checkout's tests/data/topics, if present).",
)
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON lines with id, title, body for label files (default: ../shared/data/extraction-de/gold.jsonl).",
)
@click.option(
    "--references",
    "references_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding the profiles' reference documents (default: ../shared/seeds).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="JSON array, one object per topic and source (see README)."
)
@click.pass_obj
def eval_command(
    app: AppContext,
    topics_file: Path | None,
    topic_name: str | None,
    set_dir: Path | None,
    corpus: Path | None,
    references_dir: Path | None,
    as_json: bool,
) -> None:
    """Precision and recall per category on the labelled set, and on stored feedback marks.

    Example:

        newsmon topics eval --json
    """
    profiles = load_topics(topics_file)
    if topic_name:
        profiles = (find_topic(profiles, topic_name),)
    set_dir = set_dir or (DEFAULT_SET if DEFAULT_SET.is_dir() else None)
    corpus = corpus or DEFAULT_CORPUS
    references_dir = references_dir or DEFAULT_REFERENCES
    evaluations = []
    for profile in profiles:
        labelled: list[LabelledText] = []
        if set_dir is not None:
            labelled, skipped = load_labelled_set(set_dir, profile.name, corpus)
            for note in skipped:
                click.echo(f"note: {note}", err=True)
        labelled += _references(app, profile, references_dir)
        evaluations.append(evaluate(profile, labelled, "labelled"))
        evaluations.append(evaluate(profile, feedback_examples(app.store, profile.name), "feedback"))
    if as_json:
        print_json([evaluation.as_dict() for evaluation in evaluations])
        return
    for evaluation in evaluations:
        _show_evaluation(evaluation)


@topics_group.command("mark")
@click.argument("article_id", type=int)
@click.argument("verdict", type=click.Choice(["relevant", "irrelevant"]))
@click.option("--topic", "topic_name", help="Topic the mark is for (needed when there are several).")
@topics_option
@click.pass_obj
def mark_command(
    app: AppContext, article_id: int, verdict: str, topic_name: str | None, topics_file: Path | None
) -> None:
    """Mark a stored article relevant or irrelevant to a topic (feedback for `topics eval`).

    Example:

        newsmon topics mark 42 irrelevant --topic ki-wettlauf-usa-china
    """
    profile = find_topic(load_topics(topics_file), topic_name)
    replaced = mark_article(app.store, article_id, profile.name, verdict == "relevant")
    click.echo(
        f"article #{article_id} marked {verdict} for {profile.name}" + (" (replaced)" if replaced else "")
    )


COMMANDS = [topics_group]
