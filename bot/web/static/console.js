// Live updates for the console (server-sent events). The pages work without this file:
// a reload shows the same. Fragments come from the server's own templates, already escaped.
"use strict";

(function () {
  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function notice() {
    var live = document.querySelector("[data-live-notice]");
    if (live) live.textContent = live.getAttribute("data-live-notice");
  }

  function showEmpty(list) {
    var empty = document.querySelector(".empty");
    if (empty) empty.hidden = list.children.length > 0;
  }

  var RANK = { urgent: 0, high: 1, normal: 2 };

  function startInbox(list) {
    var source = new EventSource(list.getAttribute("data-live"));
    source.addEventListener("case", function (e) {
      var data = JSON.parse(e.data);
      var row = fragment(data.html);
      if (!row) return;
      row.setAttribute("data-priority", data.priority);
      var old = document.getElementById("case-" + data.id);
      if (old) {
        old.replaceWith(row);
      } else {
        var before = null;
        var items = list.children;
        for (var i = 0; i < items.length; i++) {
          var rank = RANK[items[i].getAttribute("data-priority")];
          if (rank !== undefined && rank > RANK[data.priority]) { before = items[i]; break; }
        }
        list.insertBefore(row, before);
        notice();
      }
      showEmpty(list);
    });
    source.addEventListener("remove", function (e) {
      var old = document.getElementById("case-" + JSON.parse(e.data).id);
      if (old) old.remove();
      showEmpty(list);
    });
    source.addEventListener("gone", function () { source.close(); });
  }

  function startCase(list) {
    var source = new EventSource(list.getAttribute("data-live"));
    source.addEventListener("message", function (e) {
      var data = JSON.parse(e.data);
      if (document.getElementById("msg-" + data.id)) return;
      var item = fragment(data.html);
      if (!item) return;
      list.appendChild(item);
      showEmpty(list);
      notice();
    });
    source.addEventListener("facts", function (e) {
      var facts = document.getElementById("facts");
      var fresh = fragment(JSON.parse(e.data).html);
      if (facts && fresh) facts.replaceWith(fresh);
    });
    // Appointments and reminders: a person's answer to a reminder appears without a reload.
    source.addEventListener("appointments", function (e) {
      var old = document.getElementById("appointments-live");
      var fresh = fragment(JSON.parse(e.data).html);
      if (!old || !fresh || old.innerHTML === fresh.innerHTML) return;
      if (old.contains(document.activeElement)) return; // never under a caseworker typing
      old.replaceWith(fresh);
      notice();
    });
    source.addEventListener("gone", function () { source.close(); });
  }

  // A canned reply goes into the reply box, to be read and changed before it is sent.
  function startCanned(pick) {
    var box = document.getElementById("reply");
    if (!box) return;
    pick.querySelectorAll("[data-canned]").forEach(function (body) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = pick.getAttribute("data-insert");
      button.addEventListener("click", function () {
        box.value = body.getAttribute("data-canned");
        box.focus();
      });
      body.after(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var pick = document.querySelector(".canned-pick[data-insert]");
    if (pick) startCanned(pick);
    if (!window.EventSource) return;
    var cases = document.getElementById("cases");
    if (cases && cases.getAttribute("data-live")) startInbox(cases);
    var history = document.getElementById("history");
    if (history && history.getAttribute("data-live")) startCase(history);
  });
})();
