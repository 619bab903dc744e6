// Small progressive enhancements; pages work without JavaScript.
document.addEventListener("htmx:responseError", (e) => {
  const box = document.getElementById("flash") || document.body;
  const p = document.createElement("p");
  p.className = "msg-error";
  p.textContent = "The server could not complete that request (" + e.detail.xhr.status + ").";
  box.prepend(p);
});
