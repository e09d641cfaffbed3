// Progressive enhancement only: the page works without this file.
// 1. Quick exit (button or Escape) replaces this page in the history with a neutral site.
// 2. Moving around the page also replaces the history entry, so the whole visit is one entry
//    and Back after a quick exit never comes back here.
// 3. "Use my location" sends the position to the same search, as ?lat=&lon=.
(function () {
  "use strict";

  var exit = document.getElementById("quick-exit");

  function leave(event) {
    if (event) event.preventDefault();
    var target = exit.href;
    document.title = "";
    document.body.textContent = "";
    window.location.replace(target);
  }

  function go(url) {
    window.location.replace(url);
  }

  // What only this file makes true (Back not returning, the Esc key) is said only with it.
  document.querySelectorAll("[data-needs-js]").forEach(function (node) {
    node.hidden = false;
  });
  document.querySelectorAll("[data-without-js]").forEach(function (node) {
    node.hidden = true;
  });

  exit.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") leave(event);
  });

  document.addEventListener("click", function (event) {
    // In-page links (the skip link) must not add a history entry either.
    var jump = event.target.closest && event.target.closest('a[href^="#"]');
    if (jump && jump !== exit) {
      event.preventDefault();
      var target = document.getElementById(jump.getAttribute("href").slice(1));
      window.location.replace(jump.href);
      if (target) {
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus();
      }
      return;
    }
    var link = event.target.closest && event.target.closest("a[data-nav]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    go(link.href);
  });

  var form = document.querySelector("form[data-nav]");
  if (!form) return;

  function searchUrl(params) {
    var url = new URL(form.action);
    url.search = "";
    params.forEach(function (value, key) {
      if (value !== "") url.searchParams.append(key, value);
    });
    return url.href;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    go(searchUrl(new FormData(form)));
  });

  var status = document.getElementById("locate-status");
  if (!("geolocation" in navigator)) return;

  function locate() {
    status.textContent = status.getAttribute("data-locating");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var params = new URLSearchParams();
        // About 100 m: enough to find the nearest office, not the person's door.
        params.set("lat", position.coords.latitude.toFixed(3));
        params.set("lon", position.coords.longitude.toFixed(3));
        params.set("service", form.elements.service.value);
        go(searchUrl(params));
      },
      function () {
        status.textContent = status.getAttribute("data-failed");
      },
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 600000 }
    );
  }

  document.querySelectorAll("button[data-locate]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", locate);
  });
})();
