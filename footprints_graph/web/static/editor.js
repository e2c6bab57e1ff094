// The query editor's small enhancements of a plain textarea form (the page works without them):
// choosing a library query loads it, Ctrl+Enter (⌘+Enter) runs, Enter keeps the line's indentation,
// the share link follows the text, and a button copies it. Tab is left alone so the keyboard can leave
// the textarea. No libraries, nothing fetched.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var text = document.getElementById("query");
  var picker = document.getElementById("library");
  var share = document.getElementById("share-link");
  var copy = document.getElementById("share-copy");
  var copied = document.getElementById("share-copied");
  var position = document.getElementById("editor-position");
  var library = JSON.parse(document.getElementById("library-queries").textContent);
  if (!form || !text) { return; }

  function shareLink() {
    var params = new URLSearchParams(new FormData(form));
    return location.origin + "/sparql?" + params.toString();
  }

  function refresh() {
    share.value = shareLink();
    var before = text.value.slice(0, text.selectionStart).split("\n");
    position.textContent = before.length + ":" + (before[before.length - 1].length + 1);
  }

  picker.addEventListener("change", function () {
    if (library[picker.value]) {
      text.value = library[picker.value];
      refresh();
      text.focus();
    }
  });
  document.getElementById("library-open").hidden = true;  // choosing loads the query at once

  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Enter" && !event.shiftKey) {
      var start = text.selectionStart;
      var line = text.value.slice(text.value.lastIndexOf("\n", start - 1) + 1, start);
      var indent = line.match(/^\s*/)[0];
      event.preventDefault();
      text.setRangeText("\n" + indent, start, text.selectionEnd, "end");
      refresh();
    }
  });
  ["input", "keyup", "click"].forEach(function (name) { text.addEventListener(name, refresh); });

  copy.hidden = false;
  copy.addEventListener("click", function () {
    share.select();
    var done = function () { copied.textContent = copy.dataset.done || "✓"; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(share.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  refresh();
}());
