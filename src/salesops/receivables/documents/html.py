"""HTML: the layout with every value already formatted for the language, for the templates
receivables/documents/_document.html (the body, shared by the web page and the portal) and
standalone.html (a whole page with its own style, for e-mail and downloads)."""

from __future__ import annotations

from django.template.loader import render_to_string

from .layout import DATE, INT, MONEY, QTY, TEXT, Layout, fmt


def html_context(lay: Layout) -> dict:
    parts = []
    for part in lay.parts:
        tables = []
        for t in part.tables:
            cols = [
                {"label": c.label, "num": c.kind in (MONEY, QTY, INT), "kind": c.kind}
                for c in t.columns
            ]
            rows = [
                {
                    "style": style,
                    "cells": [
                        {
                            "text": fmt(v, c.kind, part.exponent),
                            "num": c.kind in (MONEY, QTY, INT),
                            "neg": c.kind == MONEY and v is not None and v < 0,
                        }
                        for c, v in zip(t.columns, row, strict=True)
                    ],
                }
                for row, style in zip(t.rows, t.styles, strict=True)
            ]
            tables.append({"title": t.title, "columns": cols, "rows": rows})
        parts.append(
            {
                "heading": part.heading,
                "currency": part.currency,
                "summary": [
                    {"label": label, "text": fmt(v, k, part.exponent)}
                    for label, v, k in part.summary
                ],
                "tables": tables,
            }
        )
    return {"doc": lay, "parts": parts, "kinds": {"text": TEXT, "date": DATE}}


def render_html(lay: Layout, *, generated: str, lang: str) -> bytes:
    ctx = {**html_context(lay), "generated": generated, "lang": lang}
    return render_to_string("receivables/documents/standalone.html", ctx).encode("utf-8")
