"""The `submit` command's work: send record tables, or a partner's link set, to a footprints-graph server's
/submissions, as the web page does, and give back its answer — the receipt (an identifier, the report, the status address) or the
refusal with its reasons. One POST of multipart/form-data through the standard library; nothing is retried
(a retried submission would be refused as a repeat of the first anyway)."""

import json
import mimetypes
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from footprints_graph.errors import FootprintsError

TIMEOUT = 120  # seconds: the server checks the submission against the whole release before it answers


class SubmitError(FootprintsError):
    """The server could not be reached, or answered with something that is not a submission's answer."""


@dataclass(frozen=True)
class Answer:
    status: int  # 201 kept; 422 refused with the report; 400, 409, 413, 429 refused with the reason
    body: dict

    @property
    def kept(self) -> bool:
        return self.status == 201


def submit(files: list[Path], server: str, cited_source: str, contact: str = "", note: str = "") -> Answer:
    """POST `files` with the contributor's fields to `server`/submissions and read the JSON answer."""
    fields = {"cited_source": cited_source, "contact": contact, "note": note}
    body, content_type = multipart(fields, [(p.name, _read(p)) for p in files])
    request = urllib.request.Request(f"{server.rstrip('/')}/submissions", data=body, method="POST",
                                     headers={"Content-Type": content_type, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (the URL is the user's)
            return Answer(response.status, _json(response.read(), server))
    except urllib.error.HTTPError as error:
        return Answer(error.code, _json(error.read(), server, error.code))
    except (urllib.error.URLError, OSError) as error:
        raise SubmitError(f"cannot reach {server}: {getattr(error, 'reason', error)}") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SubmitError(f"cannot read {path}: {error.strerror}") from None


def _json(body: bytes, server: str, status: int | None = None) -> dict:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        text = body.decode("utf-8", "replace").strip()[:300]
        if status is None:
            raise SubmitError(f"{server} did not answer as a footprints-graph server: {text!r}")
        answer = {"error": text}
    return answer


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578): the text fields, then each file as a part named `files`."""
    boundary = f"footprints-{secrets.token_hex(16)}"
    parts = [_part(boundary, f'name="{name}"', "text/plain; charset=utf-8", value.encode())
             for name, value in fields.items() if value]
    parts += [_part(boundary, f'name="files"; filename="{_quoted(name)}"',
                    mimetypes.guess_type(name)[0] or "application/octet-stream", content) for name, content in files]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _part(boundary: str, disposition: str, content_type: str, content: bytes) -> bytes:
    head = f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
    return head.encode() + content + b"\r\n"


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")


def answer_text(answer: Answer) -> str:
    """The answer for people: the receipt, or the refusal and its reasons."""
    body = answer.body
    if answer.kept:
        checked = (f"link set {body['link_set']['name']}: {body['link_set']['mappings']} links" if "link_set" in body
                   else f"report: {_counts(body['report'])}")
        return f"submitted: {body['id']} ({body['status']})\nstatus: {body['status_url']}\n{checked}"
    lines = [f"refused ({answer.status}): {body.get('error', '')}", *(f"  {p}" for p in body.get("problems", []))]
    if "report" in body:
        lines.append(f"report: {_counts(body['report'])}")
        lines += [f"  {r['origin'] or r['record']}: {x['severity']}: {x['message']['en']}"
                  for r in body["report"]["records"] for x in r["results"]]
    return "\n".join(lines)


def _counts(report: dict) -> str:
    return ", ".join(f"{report.get(k, 0)} {k}" for k in ("violations", "warnings", "infos"))
