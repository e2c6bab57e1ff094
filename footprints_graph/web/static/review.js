// The curators' inbox (web/review_page.py). Everything a contributor sent is shown as text (textContent),
// never as markup. The token stays in this tab (sessionStorage) and goes only in the Authorization header.
(function () {
  "use strict";
  var words = JSON.parse(document.getElementById("review-words").textContent);
  var inbox = document.getElementById("review-inbox");
  var opened = document.getElementById("review-submission");
  var problem = document.getElementById("review-problem");

  function element(tag, text, attributes) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null) { made.textContent = String(text); }
    Object.keys(attributes || {}).forEach(function (name) { made.setAttribute(name, attributes[name]); });
    return made;
  }

  function ask(path, options) {
    options = options || {};
    options.headers = {"Authorization": "Bearer " + sessionStorage.getItem("curator-token"), "Accept": "application/json"};
    return fetch(path, options).then(function (answer) {
      return answer.json().then(function (body) {
        if (!answer.ok) { throw new Error(body.error || answer.status); }
        return body;
      });
    });
  }

  function refused(error) {
    problem.hidden = false;
    problem.textContent = words.review_refused + " " + error.message;
  }

  function statusWord(status) { return words["submission_" + status.replace(/-/g, "_")] || status; }

  function showInbox(body) {
    problem.hidden = true;
    inbox.replaceChildren();
    if (!body.submissions.length) { inbox.append(element("p", words.review_empty)); return; }
    var table = element("table", null, {"class": "review-inbox"});
    var head = element("tr");
    [words.review_received, words.review_status, words.review_source, words.review_contact, ""].forEach(function (w) {
      head.append(element("th", w));
    });
    table.append(head);
    body.submissions.forEach(function (s) {
      var row = element("tr", null, {"data-submission": s.id});
      [s.received, statusWord(s.status), s.cited_source, s.contact].forEach(function (v) { row.append(element("td", v)); });
      var open = element("button", words.review_open, {"type": "button"});
      open.addEventListener("click", function () { ask("/curator/inbox/" + s.id).then(showSubmission).catch(refused); });
      var cell = element("td");
      cell.append(open);
      row.append(cell);
      table.append(row);
    });
    inbox.append(table);
  }

  function list(title, items, describe) {
    var section = element("section", null, {"class": "review-part"});
    section.append(element("h3", title + " (" + items.length + ")"));
    var ul = element("ul");
    items.forEach(function (item) { ul.append(element("li", describe(item))); });
    section.append(ul);
    return section;
  }

  function showSubmission(s) {
    opened.replaceChildren(element("h2", s.id + " — " + statusWord(s.status), {"tabindex": "-1"}));
    opened.append(element("p", words.review_counts + " " + s.report.violations + " / " + s.report.warnings + " / " + s.report.infos));
    opened.append(list(words.review_new, s.changes.new, function (r) { return r.kind + ": " + r.record; }));
    opened.append(list(words.review_changed, s.changes.changed, function (r) { return r.record + " (+" + r.adds.length + ")"; }));
    opened.append(list(words.review_unchanged, s.changes.unchanged, function (r) { return r.record; }));
    var candidates = [];
    s.duplicates.forEach(function (d) {
      d.candidates.forEach(function (c) { candidates.push(d.name + " ~ " + c.name + " (" + c.record + "): " + c.score); });
    });
    opened.append(list(words.review_duplicates, candidates, function (text) { return text; }));
    opened.append(decisionForm(s.id));
    opened.querySelector("h2").focus();
  }

  function field(label, id, control) {
    var paragraph = element("p");
    paragraph.append(element("label", label, {"for": id}), element("br"), control);
    return paragraph;
  }

  function decisionForm(id) {
    var form = element("form", null, {"class": "submission review-decision"});
    var select = element("select", null, {"name": "decision", "id": "review-decision"});
    ["accept", "reject", "ask-for-changes"].forEach(function (decision) {
      select.append(element("option", words["review_" + decision.replace(/-/g, "_")], {"value": decision}));
    });
    form.append(field(words.review_decide, "review-decision", select));
    form.append(field(words.review_reason, "review-reason", element("textarea", null, {"name": "reason", "id": "review-reason", "rows": "3"})));
    form.append(field(words.review_curator, "review-curator", element("input", null, {"name": "curator", "id": "review-curator", "required": ""})));
    form.append(element("button", words.review_send, {"type": "submit"}));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      ask("/curator/inbox/" + id + "/decision", {method: "POST", body: new URLSearchParams(new FormData(form))})
        .then(function () { return ask("/curator/inbox/" + id); }).then(showSubmission)
        .then(function () { return ask("/curator/inbox"); }).then(showInbox)
        .catch(refused);
    });
    return form;
  }

  document.getElementById("review-login").addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem("curator-token", document.getElementById("review-token").value);
    ask("/curator/inbox").then(showInbox).catch(refused);
  });
  if (sessionStorage.getItem("curator-token")) { ask("/curator/inbox").then(showInbox).catch(refused); }
})();
