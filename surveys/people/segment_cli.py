"""`feedback segments add|list|show|delete`: saved filters over customers from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from feedback_app.core.clock import utcnow
from surveys.people.segment_store import (
    SIZE_CAP, SegmentError, create_segment, delete_segment, first_customers, segment_named, segment_size,
    sized_segments,
)
from surveys.people.segment_rules import EXAMPLES


@click.group()
def segments():
    """Saved filters over customers' attributes, stage and latest scores."""


def named(name: str):
    """The segment of that name, or a clear error."""
    segment = segment_named(name)
    if segment is None:
        raise click.ClickException(f"no segment named {name!r} (see `feedback segments list`)")
    return segment


def _size(size: int) -> str:
    return f"more than {SIZE_CAP:,}" if size > SIZE_CAP else f"{size:,}"


@segments.command("add")
@click.argument("name")
@click.option("--rule", "rules", multiple=True, required=True, help=f"FIELD OP VALUE, repeatable; e.g. {EXAMPLES}")
@with_appcontext
def segments_add(name, rules):
    """Save a segment: customers for whom every --rule holds. Prints its id last."""
    try:
        segment = create_segment(name, list(rules), utcnow())
    except SegmentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Saved segment {segment.name!r}: {' AND '.join(segment.rules)}")
    click.echo(segment.id)


@segments.command("list")
@with_appcontext
def segments_list():
    """One line per segment: id, name, size, rules."""
    for sized in sized_segments():
        segment = sized.segment
        click.echo(f"{segment.id}\t{segment.name}\t{_size(sized.size)}\t{' AND '.join(segment.rules)}")


@segments.command("show")
@click.argument("name")
@with_appcontext
def segments_show(name):
    """A segment's rules, size and first customers."""
    segment = named(name)
    size = segment_size(segment)
    click.echo(f"{segment.name} (id {segment.id}): {' AND '.join(segment.rules)}")
    click.echo(f"{_size(size)} customer{'' if size == 1 else 's'}")
    for customer in first_customers(segment):
        click.echo(f"  {customer.id}\t{customer.email}")


@segments.command("delete")
@click.argument("name")
@with_appcontext
def segments_delete(name):
    """Delete a segment (customers are not touched)."""
    segment = named(name)
    delete_segment(segment)
    click.echo(f"Deleted segment {name!r}.")

