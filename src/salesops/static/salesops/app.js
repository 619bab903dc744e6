// Small progressive enhancements; pages work without JavaScript.
document.addEventListener("htmx:responseError", (e) => {
  const box = document.getElementById("flash") || document.body;
  const p = document.createElement("p");
  p.className = "msg-error";
  const msg = document.body.dataset.msgRequestFailed || "The server could not complete that request.";
  p.textContent = msg + " (" + e.detail.xhr.status + ")";
  box.prepend(p);
});
