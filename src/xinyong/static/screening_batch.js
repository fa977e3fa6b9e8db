/* 批量核查: while a batch runs, ask its JSON twin for the progress every second and move the bar; when it
   ends, reload the page (which then shows the counts and downloads). Without this script the page
   reloads itself every five seconds (meta refresh). */
(function () {
  "use strict";
  var box = document.getElementById("batch-state");
  if (!box || !window.XMLHttpRequest) {
    return;
  }
  var state = box.getAttribute("data-state");
  if (state !== "queued" && state !== "running") {
    return;
  }
  var bar = document.getElementById("batch-progress");
  var status = document.getElementById("batch-status");

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", box.getAttribute("data-api"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
      if (xhr.status !== 200 || !body) {
        window.setTimeout(poll, 3000);
        return;
      }
      bar.value = body.percent;
      bar.textContent = body.percent + "%";
      if (body.state === "done" || body.state === "failed") {
        window.location.reload();
        return;
      }
      status.textContent = "正在核查：" + body.done.toLocaleString() + " / " + body.total.toLocaleString();
      window.setTimeout(poll, 1000);
    });
    xhr.addEventListener("error", function () { window.setTimeout(poll, 3000); });
    xhr.send();
  }
  window.setTimeout(poll, 1000);
}());
