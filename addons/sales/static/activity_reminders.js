/* The navbar's reminder count (views/activity_reminder_bell.py): refreshed
   every minute from /sales/activities/reminders while the page is open. */
(function () {
  "use strict";
  var badge = document.getElementById("sales-reminder-count");
  if (!badge || badge.getAttribute("data-polling")) { return; }
  badge.setAttribute("data-polling", "1");
  function refresh() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", badge.getAttribute("data-url"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var count = JSON.parse(xhr.responseText).count;
      badge.textContent = count;
      if (count > 0) { badge.removeAttribute("hidden"); } else { badge.setAttribute("hidden", ""); }
    };
    xhr.send();
  }
  setInterval(refresh, 60000);
})();
