"""/validate/templates: a blank record table to fill in, per table, as CSV or as an Excel workbook with the
allowed values of its coded columns (convert.table_templates), and a page that lists the columns of every
table — which are required, which values a coded column allows — with the two downloads."""

from flask import Blueprint, Response, abort, render_template

from footprints_graph.convert.table_templates import (
    UnknownTable,
    column_guide,
    table_names,
    template_csv,
    template_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
blueprint = Blueprint("table_templates", __name__)


@blueprint.route("/validate/templates")
def templates_page() -> str:
    return render_template("table_templates.html", tables=[(name, column_guide(name)) for name in table_names()])


@blueprint.route("/validate/templates/<table>.csv")
def template_as_csv(table: str) -> Response:
    return _download(lambda: template_csv(table).encode("utf-8-sig"), f"{table}.csv", "text/csv; charset=utf-8")


@blueprint.route("/validate/templates/<table>.xlsx")
def template_as_xlsx(table: str) -> Response:
    return _download(lambda: template_xlsx(table), f"{table}.xlsx", XLSX)


def _download(make, name: str, media_type: str) -> Response:
    """The template as an attachment; 404 naming the tables for a table that does not exist. CSV carries
    the byte-order mark so that Excel opens it as UTF-8 (Hangul intact)."""
    try:
        body = make()
    except UnknownTable as error:
        abort(404, description=str(error))
    return Response(body, mimetype=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})
