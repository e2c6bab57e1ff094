"""Issue 13, point 1: a validation upload is bounded in size (max_query_bytes) and in records (max_upload_records):
its checks grow with its records, some with their square, so an upload of more records than the limit is refused
at once, naming the limit, before any shape runs. The command line (`footprints-graph validate`) has no limit."""

import pytest

from footprints_graph.validate.report import SubmissionError
from footprints_graph.validate.submission import read_submission
from footprints_graph.web import EndpointConfig, create_app


def _people(count: int) -> str:
    """`count` victims in Turtle, each a record of its own."""
    return "".join(f'<https://example.org/person/p{n}> a <https://w3id.org/footprints-graph/ontology#Victim> ; '
                   f'<http://www.w3.org/2000/01/rdf-schema#label> "Person {n}"@en .\n' for n in range(count))


def test_a_submission_past_the_record_limit_is_refused_naming_it(tmp_path):
    upload = tmp_path / "submission.ttl"
    upload.write_text(_people(4), encoding="utf-8")
    assert len(read_submission([upload], {}, max_records=4).origins) == 4
    assert len(read_submission([upload], {}).origins) == 4  # no limit: the command line's
    with pytest.raises(SubmissionError, match="describes 5 records.*at most 4 at a time"):
        upload.write_text(_people(5), encoding="utf-8")
        read_submission([upload], {}, max_records=4)


def test_the_validation_page_refuses_an_upload_past_the_limit_with_a_400(built_home):
    client = create_app(EndpointConfig(home=built_home, query_timeout=30, max_upload_records=3)).test_client()
    over = client.post("/validate", data={"text": _people(4), "format": "submission.ttl"},
                       headers={"Accept": "application/json"})
    assert over.status_code == 400 and "at most 3 at a time" in over.json["error"]
    within = client.post("/validate", data={"text": _people(3), "format": "submission.ttl"},
                         headers={"Accept": "application/json"})
    assert within.status_code == 200 and within.json["records"]
