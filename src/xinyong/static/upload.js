/* 数据报送: send the upload form with XMLHttpRequest so that the clerk sees the upload's progress, then
   a status while the server checks and stores the rows, then the batch's report. Without this script
   the form posts to /console/collection/upload and ends on the same report. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var button = document.getElementById("upload-submit");
  var box = document.getElementById("upload-feedback");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "notice error" : "muted";
    status.setAttribute("role", isError ? "alert" : "status");
  }

  function failed(xhr) {
    var message = "上传失败（HTTP " + xhr.status + "），请稍后重试";
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.message) {
        message = body.message + "（" + body.code + "）";
      }
    } catch (ignored) { /* not JSON: keep the generic message */ }
    say(message, true);
    button.disabled = false;
    box.hidden = true;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-api"));
    xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf") || "");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        bar.textContent = percent + "%";
        say("正在上传：" + percent + "%", false);
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      bar.removeAttribute("value"); /* indeterminate while the server works */
      say("文件已上传，服务器正在校验和入库，请稍候……", false);
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = null; }
      if (xhr.status === 201 && body && body.batch_id) {
        say("处理完成，正在打开批次 " + body.batch_id + " 的结果……", false);
        window.location.assign("/console/batches/" + body.batch_id);
      } else {
        failed(xhr);
      }
    });
    xhr.addEventListener("error", function () {
      say("网络错误，文件未能上传，请检查网络后重试", true);
      button.disabled = false;
      box.hidden = true;
    });
    button.disabled = true;
    box.hidden = false;
    bar.value = 0;
    say("正在上传：0%", false);
    xhr.send(new FormData(form));
  });
}());
