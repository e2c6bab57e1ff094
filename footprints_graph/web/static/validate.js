// The check page's one enhancement (the page works without it): the form is sent in the background and the
// answer's report, or the reason it could not be read, replaces the one shown. The page is not reloaded, so
// the files chosen stay chosen: fix the spreadsheet, save it, press Check again. Nothing else is fetched.
(function () {
  "use strict";
  var form = document.querySelector("form.submission");
  if (!form || !window.fetch || !window.DOMParser) { return; }

  function show(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("check-result");
    var shown = document.getElementById("check-result");
    if (!fresh || !shown) { throw new Error("no result in the answer"); }
    shown.replaceWith(fresh);
    var heading = fresh.querySelector("[tabindex='-1'], h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {method: "POST", body: new FormData(form), headers: {"Accept": "text/html"},
                        credentials: "same-origin"})
      .then(function (answer) { return answer.text(); })
      .then(show)
      .catch(function () { form.submit(); })  // anything unexpected: the plain form, as without script
      .finally(function () { button.disabled = false; });
  });
})();
