"""Output formats.  Each module renders a check Result; imported only when chosen."""

FORMATS = ("text", "json")


def render(fmt: str, result, *, color: bool = False) -> str:
    if fmt == "json":
        from natslint.report.json_format import render_json

        return render_json(result)
    from natslint.report.text import render_text

    return render_text(result, color=color)
