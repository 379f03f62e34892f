// Small enhancements only: every page works without this file.
// 1. A form cannot be sent twice by a double tap on a slow connection.
// 2. Buttons marked data-confirm ask before a destructive action.
// 3. The error summary takes focus so screen readers announce it.
document.addEventListener('submit', function (e) {
  var form = e.target;
  var btn = e.submitter;
  if (btn && btn.dataset && btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) { e.preventDefault(); return; }
  if (form.dataset.sending) { e.preventDefault(); return; }
  form.dataset.sending = '1';
  setTimeout(function () { delete form.dataset.sending; }, 8000);
});
var summary = document.querySelector('.error-summary');
if (summary) summary.focus();
