"""Template filters of the diagnostics app: sanitised Markdown and French numbers."""

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from cpts_portal.formatting import format_number

register = template.Library()

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "h5", "blockquote", "a", "code", "pre", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@register.filter
def markdown_safe(text: str) -> str:
    """Markdown -> HTML, then sanitised by nh3 (Ammonia): no script, no style, no event attribute survives.

    Headings are shifted down (``#`` becomes ``h3``) so a section never outranks the page's own titles.
    """
    if not text:
        return ""
    html = markdown_lib.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    for level in (1, 2):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    cleaned = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer nofollow"
    )
    return mark_safe(cleaned)  # noqa: S308 (sanitised by nh3 just above)


@register.filter
def fr_number(value, decimals=0):
    return format_number(value, int(decimals))
