"""Information and advice pages a council edits in the admin (paying for care, carers' rights...)."""

from __future__ import annotations

from django.db import models


class AdvicePage(models.Model):
    """One plain-English page of information. The body is plain text with blank lines between
    paragraphs; it is escaped when shown, so nothing typed in the admin runs as HTML."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences, shown in lists and search results")
    body = models.TextField(
        help_text="Plain text. Leave a blank line between paragraphs; start a line with '- ' for a list"
    )
    published = models.BooleanField(default=False, help_text="Only published pages are shown to the public")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "directory"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
